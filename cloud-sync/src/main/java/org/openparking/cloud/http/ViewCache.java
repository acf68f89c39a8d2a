package org.openparking.cloud.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.openparking.protocol.Json;

/**
 * Polled views rendered once and answered from memory, with an {@code ETag} ({@code If-None-Match} gets 304).
 * A view is rendered again once something changed ({@link #changed}: this instance's committed writes, any
 * instance's availability changes) or once it is {@code maxAge} old (other writes of other instances). While one
 * request renders a view, the others asking for it wait for that rendering instead of each querying
 * PostgreSQL: under load polls queue behind one query per view, they do not crowd out the pool.
 */
public final class ViewCache {
    /** A view's rendering: one query and its mapping, as a handler would do it. */
    @FunctionalInterface
    public interface Render {
        Object render() throws SQLException;
    }

    private record View(byte[] body, String etag, long generation, long renderedAt) {
    }

    private record Rendering(long generation, CompletableFuture<View> result) {
    }

    private final Duration maxAge;
    private final AtomicLong generation = new AtomicLong();
    private final Map<String, View> views = new ConcurrentHashMap<>();
    private final Map<String, Rendering> renderings = new ConcurrentHashMap<>();

    public ViewCache(Duration maxAge) {
        this.maxAge = maxAge;
    }

    /** Something a view shows may have changed: the next request renders afresh. */
    public void changed() {
        generation.incrementAndGet();
    }

    /** Answers {@code req} with view {@code key} (a 304 if the client has it), rendered by {@code render} if due. */
    void send(ServerRequest req, ServerResponse res, String key, Render render) throws SQLException {
        View view = view(key, render);
        res.header(HeaderNames.ETAG, view.etag());
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(v -> v.equals(view.etag())).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(view.body());
    }

    private View view(String key, Render render) throws SQLException {
        long now = System.nanoTime();
        long wanted = generation.get();
        View held = views.get(key);
        if (held != null && held.generation() >= wanted && now - held.renderedAt() < maxAge.toNanos()) {
            return held;
        }
        Rendering mine = new Rendering(wanted, new CompletableFuture<>());
        // Join a rendering that started after the change we must show; otherwise start one.
        Rendering running = renderings.compute(key, (k, r) -> r != null && r.generation() >= wanted ? r : mine);
        if (running != mine) {
            return await(running);
        }
        try {
            byte[] body = Json.mapper().writeValueAsBytes(render.render());
            View view = new View(body, etag(body), wanted, now);
            views.merge(key, view, (a, b) -> b.generation() >= a.generation() ? b : a);
            mine.result().complete(view);
            return view;
        } catch (SQLException | RuntimeException e) {
            mine.result().completeExceptionally(e);
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            mine.result().completeExceptionally(e);
            throw new IllegalStateException(e);
        } finally {
            renderings.remove(key, mine);
        }
    }

    private static View await(Rendering r) throws SQLException {
        try {
            return r.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted waiting for a view", "57014", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            if (e.getCause() instanceof RuntimeException r2) {
                throw r2;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
