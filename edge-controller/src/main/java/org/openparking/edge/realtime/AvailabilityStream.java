package org.openparking.edge.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.openparking.protocol.Json;

/**
 * {@code GET /availability/stream}: server-sent events. The current availability at once, then one
 * {@code availability} event per change, a {@code lane} event per lane change and a {@code heartbeat} event
 * every heartbeat (so a client can tell live from stale, and a dead client is found by the failed write).
 * Each client has its own bounded queue, drained by its own (virtual) request thread; a client too slow to
 * keep up is sent the current snapshot instead of its backlog.
 */
final class AvailabilityStream implements HttpService {
    private static final Logger LOG = Logger.getLogger(AvailabilityStream.class.getName());
    private static final ObjectMapper JSON = Json.mapper();
    private static final int QUEUE = 256;
    private static final Object STOP = new Object();

    private final LiveFeed feed;
    private final Duration heartbeat;
    private final Set<BlockingQueue<Object>> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    AvailabilityStream(LiveFeed feed, Duration heartbeat) {
        this.feed = feed;
        this.heartbeat = heartbeat;
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
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>(QUEUE);
        Runnable unsubscribe = feed.subscribe(e -> {
            if (!queue.offer(e)) {
                queue.clear();
                queue.offer(new LiveEvent.AvailabilityChanged(feed.availability()));
            }
        });
        clients.add(queue);
        try (SseSink sink = res.sink(SseSink.TYPE)) {
            sink.emit(event("availability", feed.availability()));
            while (!closed) {
                Object next = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                if (next == STOP) {
                    break;
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
