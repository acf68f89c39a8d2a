package org.openparking.cloud.portal;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.cloud.auth.Principal;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;

/**
 * {@code GET /stream}: server-sent events with level availability. One poller reads the levels
 * table once per interval (the ingest writes it; polling keeps the ingest free of portal code)
 * and fans changed levels out to every connected client whose caller may see the lot.
 */
public final class AvailabilityStream implements HttpService, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AvailabilityStream.class.getName());
    private static final int CLIENT_BUFFER = 1024;

    private final DataSource dataSource;
    private final Duration interval;
    private final Duration keepAlive;
    private final CopyOnWriteArrayList<Client> clients = new CopyOnWriteArrayList<>();
    private final Map<String, Long> versions = new HashMap<>();
    // The poller's latest view: a new client's first snapshot comes from here, not from PostgreSQL,
    // so a thousand clients connecting at once cost no database connections.
    private final Map<String, LevelEvent> latest = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Thread poller;
    private volatile boolean closed;

    /** One level's availability as pushed ({@code event: level}). */
    public record LevelEvent(String lotId, String levelId, int capacity, int occupied, int free, String status,
                             long version, Instant updatedAt) {
    }

    private record Client(Principal caller, BlockingQueue<LevelEvent> queue) {
    }

    public AvailabilityStream(DataSource dataSource, Duration interval, Duration keepAlive) {
        this.dataSource = dataSource;
        this.interval = interval;
        this.keepAlive = keepAlive;
        this.poller = Thread.ofPlatform().daemon().name("availability-stream").unstarted(this::pollLoop);
    }

    public AvailabilityStream start() {
        poller.start();
        return this;
    }

    public int clientCount() {
        return clients.size();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/stream", this::stream);
    }

    private void stream(ServerRequest req, ServerResponse res) throws Exception {
        Principal caller = AuthFilter.caller(req);
        Client client = new Client(caller, new ArrayBlockingQueue<>(CLIENT_BUFFER));
        // Registered before the snapshot is taken: a change in between is sent twice, never lost.
        clients.add(client);
        List<LevelEvent> snapshot = List.copyOf(latest.values());
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try (OutputStream out = res.outputStream()) {
            out.write(": connected\n\n".getBytes(StandardCharsets.UTF_8));
            for (LevelEvent e : snapshot) {
                if (caller.sees(e.lotId())) {
                    write(out, e);
                }
            }
            out.flush();
            while (!closed) {
                LevelEvent e = client.queue().poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                if (e == null) {
                    // A comment line: keeps proxies from timing out and finds closed connections.
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    write(out, e);
                    for (LevelEvent more = client.queue().poll(); more != null; more = client.queue().poll()) {
                        write(out, more);
                    }
                }
                out.flush();
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.log(Level.FINE, "stream client left", e);
        } catch (InterruptedException e) {
            // Server shutdown.
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(client);
        }
    }

    private static void write(OutputStream out, LevelEvent e) throws IOException {
        out.write(("event: level\nid: " + e.lotId() + "/" + e.levelId() + "/" + e.version() + "\ndata: ")
                .getBytes(StandardCharsets.UTF_8));
        out.write(Json.mapper().writeValueAsBytes(e));
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
    }

    private void pollLoop() {
        while (!closed) {
            try {
                for (LevelEvent e : read()) {
                    String key = e.lotId() + "/" + e.levelId();
                    Long seen = versions.put(key, e.version());
                    latest.put(key, e);
                    if (seen != null && seen == e.version()) {
                        continue;
                    }
                    for (Client c : clients) {
                        // A client too slow to take 1024 events is dropped from this update, not the server.
                        if (c.caller().sees(e.lotId()) && !c.queue().offer(e)) {
                            LOG.fine(() -> "stream client of " + c.caller().username() + " is behind");
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.WARNING, "availability poll failed; retrying", e);
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private List<LevelEvent> read() throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT lot_id, level_id, capacity, occupied, free, status, version, updated_at
                FROM levels ORDER BY lot_id, level_id""", rs -> new LevelEvent(rs.getString(1), rs.getString(2),
                rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getString(6), rs.getLong(7),
                Jdbc.instant(rs.getTimestamp(8)))));
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
    }
}
