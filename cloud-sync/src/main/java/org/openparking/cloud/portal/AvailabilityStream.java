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
import java.util.concurrent.ConcurrentSkipListMap;
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
 * with more than {@code live.stream-buffer} levels waiting is cut with {@code event: reconnect}. A stream ends
 * with {@code event: end} when its token expires or is revoked, and at most {@code live.max-streams} are open per
 * instance (503 {@code STREAMS_FULL} beyond).
 * <p>Resuming: every change this instance hears gets the next number of its sequence, and each level keeps the
 * number of its latest change. After each batch of events the stream sends an event id {@code {run}-{n}}
 * (a line {@code id:} of its own): every change up to {@code n} that the client may see has been sent to it. A
 * client reconnecting with {@code Last-Event-ID} (a browser's EventSource does so by itself) gets
 * {@code event: resume} and only the levels whose latest change is after {@code n}, so nothing is lost and what
 * did not change is not sent again. An id of another instance or of an earlier run of this one (its {@code run}
 * differs) or not an id at all cannot be resumed from: the client gets {@code event: snapshot} saying why, and
 * every level; a new client gets {@code event: snapshot} {@code NEW} and every level.
 */
public final class AvailabilityStream implements HttpService, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AvailabilityStream.class.getName());
    private static final io.helidon.http.HeaderName LAST_EVENT_ID = io.helidon.http.HeaderNames.create("Last-Event-ID");
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final LiveSettings settings;
    // This run's part of every event id: an id of another instance or an earlier run is not resumed from.
    private final String run = Long.toHexString(new java.security.SecureRandom().nextLong() >>> 1);
    // Each level's latest change: its sequence number and its frame (sent again to new and resuming clients).
    private final Map<String, Stamped> latest = new ConcurrentSkipListMap<>();
    private long sequence;
    // The last change offered to every client's queue (written after the fan-out).
    private volatile long fannedOut;
    private final Clock clock;
    // A set, not a copy-on-write list: ten thousand clients connect and leave.
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    /** Why a stream ended, sent as its last event. */
    public enum End { BEHIND, TOKEN_EXPIRED, TOKEN_REVOKED, SHUTDOWN }

    /** Why a stream started from every level rather than resuming ({@code event: snapshot}). */
    public enum Snapshot { NEW, UNKNOWN_EVENT_ID, MALFORMED_EVENT_ID }

    private record Client(Principal caller, TokenService.Claims claims, StreamQueue queue) {
    }

    private record Stamped(long seq, String lotId, byte[] frame) {
    }

    public AvailabilityStream(LiveLevels levels, LiveSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        // What the view already holds (none in Main, where the stream listens before the feed starts).
        if (levels != null) {
            levels.all().forEach(this::changed);
        }
    }

    /** The id a client that has had every change so far would reconnect with. */
    public String currentEventId() {
        return run + "-" + fannedOut;
    }

    public int clientCount() {
        return clients.size();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/stream", this::stream);
    }

    /** A level changed: numbered, and queued for every client that sees its lot. */
    public synchronized void changed(LevelAvailability level) {
        byte[] frame = frame(level);
        String key = level.key();
        long seq = ++sequence;
        latest.put(key, new Stamped(seq, level.lotId(), frame));
        for (Client c : clients) {
            if (c.caller().sees(level.lotId())) {
                c.queue().offer(key, frame);
            }
        }
        fannedOut = seq;
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
                // Every change up to here is in what follows: the levels (all, or those changed since), or the
                // client's queue (registered above).
                long upTo = fannedOut;
                String lastEventId = req.headers().first(LAST_EVENT_ID).map(String::trim).orElse("");
                Snapshot why = null;
                long since = 0;
                if (lastEventId.isEmpty()) {
                    why = Snapshot.NEW;
                } else if (!lastEventId.matches("[0-9a-f]{1,16}-[0-9]{1,18}")) {
                    why = Snapshot.MALFORMED_EVENT_ID;
                } else {
                    int dash = lastEventId.indexOf('-');
                    since = Long.parseLong(lastEventId.substring(dash + 1));
                    if (!lastEventId.substring(0, dash).equals(run) || since > upTo) {
                        why = Snapshot.UNKNOWN_EVENT_ID;
                    }
                }
                List<byte[]> frames = new java.util.ArrayList<>();
                for (Stamped s : latest.values()) {
                    if ((why != null || s.seq() > since) && caller.sees(s.lotId())) {
                        frames.add(s.frame());
                    }
                }
                Map<String, Object> head = why == null
                        ? Map.of("since", lastEventId, "levels", frames.size())
                        : Map.of("reason", why.name(), "levels", frames.size());
                // In one write, as the batches below: one chunk, not one per level.
                java.io.ByteArrayOutputStream opening = new java.io.ByteArrayOutputStream(256 * frames.size() + 128);
                opening.write(("event: " + (why == null ? "resume" : "snapshot") + "\ndata: "
                        + Json.mapper().writeValueAsString(head) + "\n\n").getBytes(StandardCharsets.UTF_8));
                for (byte[] frame : frames) {
                    opening.write(frame);
                }
                opening.write(id(upTo));
                opening.writeTo(out);
                out.flush();
                serve(client, out, upTo);
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

    private byte[] id(long upTo) {
        return ("id: " + run + "-" + upTo + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private void serve(Client client, OutputStream out, long idSent) throws IOException, InterruptedException {
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
            StreamQueue.Batch batch = queue.take(Math.max(1, Math.min(settings.keepAlive().toMillis(),
                    left.toMillis())), () -> fannedOut);
            if (queue.ended() != null) {
                continue;
            }
            if (batch.frames().isEmpty() && batch.watermark() == idSent) {
                // A comment line: keeps proxies from timing out and finds closed connections.
                out.write(KEEP_ALIVE);
            }
            // One write for the batch and its id (after the frames: the client's Last-Event-ID then says it has
            // had every change up to here): one chunk and one send per client and change, not three.
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256 * batch.frames().size() + 32);
            for (byte[] frame : batch.frames()) {
                bytes.write(frame);
            }
            if (batch.watermark() > idSent) {
                bytes.write(id(batch.watermark()));
                idSent = batch.watermark();
            }
            bytes.writeTo(out);
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
            byte[] head = "event: level\ndata: "
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
