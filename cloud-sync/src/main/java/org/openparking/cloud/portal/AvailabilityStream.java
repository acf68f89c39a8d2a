package org.openparking.cloud.portal;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.auth.TokenService;
import org.openparking.cloud.live.LiveSettings;
import org.openparking.platform.json.HttpErrors;
import org.openparking.protocol.Json;

/**
 * {@code GET /stream}: server-sent events with level availability, pushed as {@link LiveLevels} hears of each
 * committed change (from any instance). Each client holds at most one waiting event per level (a newer version
 * replaces the one not yet sent), so a client that reads slowly gets the latest state, not a backlog. A client
 * with more than {@code live.stream-buffer} levels waiting is cut with {@code event: reconnect}: its browser
 * reconnects (sending {@code Last-Event-ID}) and starts again from the current state of every level, so nothing
 * is skipped. A stream ends with {@code event: end} when its token expires or is revoked, and at most
 * {@code live.max-streams} are open per instance (503 {@code STREAMS_FULL} beyond).
 */
public final class AvailabilityStream implements HttpService, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AvailabilityStream.class.getName());
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final LiveLevels levels;
    private final LiveSettings settings;
    private final Clock clock;
    // A set, not a copy-on-write list: ten thousand clients connect and leave.
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    /** Why a stream ended, sent as its last event. */
    public enum End { BEHIND, TOKEN_EXPIRED, TOKEN_REVOKED, SHUTDOWN }

    private record Client(Principal caller, TokenService.Claims claims, StreamQueue queue) {
    }

    public AvailabilityStream(LiveLevels levels, LiveSettings settings, Clock clock) {
        this.levels = levels;
        this.settings = settings;
        this.clock = clock;
    }

    public int clientCount() {
        return clients.size();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/stream", this::stream);
    }

    /** A level changed: queued for every client that sees its lot. */
    public void changed(LevelAvailability level) {
        byte[] frame = frame(level);
        String key = level.key();
        for (Client c : clients) {
            if (c.caller().sees(level.lotId())) {
                c.queue().offer(key, frame);
            }
        }
    }

    /** Ends the streams whose token {@code revoked} now refuses. */
    public void endRevoked(Predicate<TokenService.Claims> revoked) {
        for (Client c : clients) {
            if (revoked.test(c.claims())) {
                c.queue().end(End.TOKEN_REVOKED);
            }
        }
    }

    private void stream(ServerRequest req, ServerResponse res) throws Exception {
        Principal caller = AuthFilter.caller(req);
        TokenService.Claims claims = req.context().get(TokenService.Claims.class).orElseThrow();
        if (open.incrementAndGet() > settings.maxStreams()) {
            open.decrementAndGet();
            res.header(HeaderNames.RETRY_AFTER, "5");
            HttpErrors.send(res, Status.SERVICE_UNAVAILABLE_503, "STREAMS_FULL",
                    "this instance serves " + settings.maxStreams() + " streams; retry later or elsewhere");
            return;
        }
        Client client = new Client(caller, claims, new StreamQueue(settings.streamBuffer()));
        // Registered before the snapshot is taken: a change in between is sent twice, never lost.
        clients.add(client);
        try {
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            try (OutputStream out = res.outputStream()) {
                out.write(": connected\n\n".getBytes(StandardCharsets.UTF_8));
                for (LevelAvailability level : levels.all()) {
                    if (caller.sees(level.lotId())) {
                        out.write(frame(level));
                    }
                }
                out.flush();
                serve(client, out);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.log(Level.FINE, "stream client left", e);
        } catch (InterruptedException e) {
            // Server shutdown.
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(client);
            open.decrementAndGet();
        }
    }

    private void serve(Client client, OutputStream out) throws IOException, InterruptedException {
        StreamQueue queue = client.queue();
        while (true) {
            if (closed) {
                queue.end(End.SHUTDOWN);
            }
            Duration left = Duration.between(clock.instant(), client.claims().expiresAt());
            if (!left.isPositive()) {
                queue.end(End.TOKEN_EXPIRED);
            }
            if (queue.ended() != null) {
                end(out, queue.ended());
                return;
            }
            List<byte[]> frames = queue.take(Math.max(1, Math.min(settings.keepAlive().toMillis(), left.toMillis())));
            if (frames.isEmpty() && queue.ended() == null) {
                // A comment line: keeps proxies from timing out and finds closed connections.
                out.write(KEEP_ALIVE);
            }
            for (byte[] frame : frames) {
                out.write(frame);
            }
            out.flush();
        }
    }

    private static void end(OutputStream out, End why) throws IOException {
        String event = why == End.BEHIND || why == End.SHUTDOWN ? "reconnect" : "end";
        out.write(("event: " + event + "\ndata: " + Json.mapper().writeValueAsString(Map.of("reason", why.name()))
                + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static byte[] frame(LevelAvailability level) {
        try {
            byte[] data = Json.mapper().writeValueAsBytes(level);
            byte[] head = ("event: level\nid: " + level.key() + "/" + level.version() + "\ndata: ")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] bytes = new byte[head.length + data.length + 2];
            System.arraycopy(head, 0, bytes, 0, head.length);
            System.arraycopy(data, 0, bytes, head.length, data.length);
            bytes[bytes.length - 2] = '\n';
            bytes[bytes.length - 1] = '\n';
            return bytes;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ends every stream with {@code event: reconnect} (another instance takes the clients). */
    @Override
    public void close() {
        closed = true;
        clients.forEach(c -> c.queue().end(End.SHUTDOWN));
    }
}
