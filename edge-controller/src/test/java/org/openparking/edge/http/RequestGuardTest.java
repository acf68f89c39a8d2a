package org.openparking.edge.http;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * What a page opened on the lot network can do to an open (development) edge: no barrier moves on a
 * {@code text/plain} form post (the CORS "simple request" a page sends without asking) or on any request from
 * another origin, while the same-origin console and non-browser clients keep working.
 */
class RequestGuardTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String OPEN = "{\"reason\":\"test\"}";
    private TestEdge edge;

    @BeforeEach
    void start() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2));
    }

    @AfterEach
    void stop() {
        edge.close();
    }

    private TestHttp.Response post(String path, String contentType, String body, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(edge.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new TestHttp.Response(r.statusCode(), r.headers(), r.body());
    }

    @Test
    void aTextPlainPostIsRefusedWith415AndMovesNothing() throws Exception {
        TestHttp.Response r = post("/admin/lanes/out-1/open", "text/plain", OPEN, null);
        assertThat(r.text(), r.status(), is(415));
        assertThat(r.body().get("error").asText(), is("UNSUPPORTED_MEDIA_TYPE"));
        assertThat(post("/lanes/in-1/entries", "application/x-www-form-urlencoded", "plate=X", null).status(),
                is(415));
        assertThat(post("/admin/lanes/out-1/open", null, OPEN, null).status(), is(415));
        assertThat(edge.barrier("out-1"), is("CLOSED"));
        assertThat(edge.get("/sessions").body().size(), is(0));
    }

    @Test
    void anotherOriginIsRefusedWith403EvenWithJson() throws Exception {
        for (String origin : new String[] {"http://evil.example", "null", "http://127.0.0.1:1", "not a uri"}) {
            TestHttp.Response r = post("/admin/lanes/out-1/open", "application/json", OPEN, origin);
            assertThat(origin + ": " + r.text(), r.status(), is(403));
            assertThat(r.body().get("error").asText(), is("FOREIGN_ORIGIN"));
        }
        assertThat(edge.barrier("out-1"), is("CLOSED"));
    }

    @Test
    void theEdgesOwnOriginAndClientsWithoutOneWork() throws Exception {
        String self = "http://127.0.0.1:" + edge.app().port();
        TestHttp.Response r = post("/admin/lanes/out-1/open", "application/json; charset=utf-8", OPEN, self);
        assertThat(r.text(), r.status(), is(200));
        await().atMost(Duration.ofSeconds(5)).until(() -> "OPEN".equals(edge.barrier("out-1")));
        assertThat(post("/lanes/in-1/entries", "application/json", "{}", null).status(), is(201));
        assertThat("a bodyless POST needs no Content-Type", edge.post("/admin/lanes/out-1/reset", "").status(),
                is(200));
    }

    @Test
    void sameOriginComparesHostAndPort() {
        assertThat(RequestGuard.sameOrigin("http://edge.lot:8080", "edge.lot:8080"), is(true));
        assertThat(RequestGuard.sameOrigin("http://EDGE.lot", "edge.lot"), is(true));
        assertThat(RequestGuard.sameOrigin("http://edge.lot:8081", "edge.lot:8080"), is(false));
        assertThat(RequestGuard.sameOrigin("http://edge.lot.evil:8080", "edge.lot:8080"), is(false));
        assertThat(RequestGuard.sameOrigin("null", "edge.lot:8080"), is(false));
    }
}
