package org.openparking.edge.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.openparking.edge.ParkingException;
import org.openparking.protocol.Json;

/**
 * {@code GET /availability/stream}: server-sent events. The current availability at once, then one
 * {@code availability} event per change, a {@code lane} event per lane change and a {@code heartbeat} event
 * every heartbeat (so a client can tell live from stale, and a dead client is found by the failed write).
 * Each client has its own bounded queue, drained by its own (virtual) request thread; a client too slow to
 * keep up is sent the current snapshot instead of its backlog.
 *
 * <p>As cloud-sync's {@code GET /stream}: at most {@code auth.max-streams} are open at once (503
 * {@code STREAMS_FULL} beyond, with {@code Retry-After}); what a client sees and how long it may watch come
 * from {@link StreamAccess}. A stream opened with an operator token ends with {@code event: end}
 * ({@code {"reason":"TOKEN_EXPIRED"}} or {@code TOKEN_REVOKED}) when the token expires or its key stops being
 * trusted; a closing server sends {@code event: reconnect} ({@code SHUTDOWN}).
 */
final class AvailabilityStream implements HttpService {
    private static final Logger LOG = Logger.getLogger(AvailabilityStream.class.getName());
    private static final ObjectMapper JSON = Json.mapper();
    private static final int QUEUE = 256;
    private static final Object STOP = new Object();

    private final LiveFeed feed;
    private final Duration heartbeat;
    private final int maxStreams;
    private final Clock clock;
    private final Set<BlockingQueue<Object>> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private volatile StreamAccess access = StreamAccess.OPEN;
    private volatile boolean closed;

    AvailabilityStream(LiveFeed feed, Duration heartbeat, int maxStreams, Clock clock) {
        this.feed = feed;
        this.heartbeat = heartbeat;
        this.maxStreams = maxStreams;
        this.clock = clock;
    }

    /** The credential rules of the HTTP layer (set before the server starts). */
    void access(StreamAccess rules) {
        this.access = rules;
    }

    /** Connected SSE clients, for the metrics gauge. */
    int clientCount() {
        return clients.size();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/availability/stream", this::stream);
    }

    private void stream(ServerRequest req, ServerResponse res) {
        // Refused before anything is counted or subscribed: a bad token gets its 401/403 as JSON.
        StreamAccess.Viewer viewer = access.admit(req);
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            res.header(HeaderNames.RETRY_AFTER, "5");
            throw new ParkingException(ParkingException.Kind.UNAVAILABLE, "STREAMS_FULL",
                    "this edge serves " + maxStreams + " streams (auth.max-streams); retry later");
        }
        try {
            serve(viewer, res);
        } finally {
            open.decrementAndGet();
        }
    }

    private void serve(StreamAccess.Viewer viewer, ServerResponse res) {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>(QUEUE);
        Runnable unsubscribe = feed.subscribe(e -> {
            if (e instanceof LiveEvent.LaneChanged && !viewer.lanes()) {
                return;
            }
            if (!queue.offer(e)) {
                queue.clear();
                queue.offer(new LiveEvent.AvailabilityChanged(feed.availability()));
            }
        });
        clients.add(queue);
        try (SseSink sink = res.sink(SseSink.TYPE)) {
            sink.emit(event("availability", feed.availability()));
            Instant checked = clock.instant();
            while (true) {
                String end = closed ? "SHUTDOWN" : ended(viewer, checked);
                if (!Duration.between(checked, clock.instant()).minus(heartbeat).isNegative()) {
                    checked = clock.instant();
                }
                if (end != null) {
                    sink.emit(event(end.equals("SHUTDOWN") ? "reconnect" : "end", Map.of("reason", end)));
                    break;
                }
                long wait = heartbeat.toMillis();
                if (viewer.expiresAt() != null) {
                    wait = Math.max(1, Math.min(wait, Duration.between(clock.instant(), viewer.expiresAt()).toMillis()));
                }
                Object next = queue.poll(wait, TimeUnit.MILLISECONDS);
                if (next == STOP) {
                    continue; // closed: the loop sends the reconnect event
                }
                if (next == null) {
                    sink.emit(SseEvent.builder().comment("keep-alive").build());
                    continue;
                }
                sink.emit(switch ((LiveEvent) next) {
                    case LiveEvent.AvailabilityChanged c -> event("availability", c.availability());
                    case LiveEvent.LaneChanged l -> event("lane", l.lane());
                    case LiveEvent.Heartbeat h -> event("heartbeat", heartbeatBody(h));
                });
            }
        } catch (UncheckedIOException e) {
            LOG.fine(() -> "SSE client went away: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unsubscribe.run();
            clients.remove(queue);
        }
    }

    /** Why the viewer's stream must end now, or null. The credential is checked again at most once a heartbeat. */
    private String ended(StreamAccess.Viewer viewer, Instant checked) {
        if (viewer.expiresAt() == null) {
            return null;
        }
        Instant now = clock.instant();
        if (!now.isBefore(viewer.expiresAt())) {
            return "TOKEN_EXPIRED";
        }
        if (Duration.between(checked, now).compareTo(heartbeat) < 0) {
            return null;
        }
        String why = viewer.refusal().get();
        if (why != null) {
            LOG.info(() -> "live stream ended: its operator token no longer verifies (" + why + ")");
        }
        return why == null ? null : "TOKEN_REVOKED";
    }

    private static Map<String, Object> heartbeatBody(LiveEvent.Heartbeat h) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("confirmedAt", h.confirmedAt());
        body.put("version", h.availability().version());
        return body;
    }

    private static SseEvent event(String name, Object body) {
        try {
            return SseEvent.builder().name(name).data(JSON.writeValueAsString(body)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ends every open stream, so that the server can stop. */
    void close() {
        closed = true;
        for (BlockingQueue<Object> q : clients) {
            q.clear();
            q.offer(STOP);
        }
    }
}
