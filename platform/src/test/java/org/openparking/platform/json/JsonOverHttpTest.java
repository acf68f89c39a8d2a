package org.openparking.platform.json;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Json;

/** The media support, the error body and the shared mapping, on a real server. */
class JsonOverHttpTest {
    private static final HttpErrors.BodyCodes CODES = new HttpErrors.BodyCodes("MALFORMED", "BAD_FIELD");
    private static WebServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    record Echo(String name, Boolean flag, Integer count, Instant at) {
        Echo {
            if (count != null && count < 0) {
                throw new IllegalArgumentException("count must not be negative, was " + count);
            }
        }
    }

    static final class Refused extends RuntimeException {
    }

    @BeforeAll
    static void start() {
        server = WebServer.builder()
                .port(0)
                .mediaContext(JsonMedia.context())
                .routing(r -> {
                    r.addFilter((chain, req, res) -> {
                        if (req.path().path().equals("/filtered")) {
                            HttpErrors.send(res, Status.UNAUTHORIZED_401, "UNAUTHORIZED", "no token");
                            return;
                        }
                        chain.proceed();
                    });
                    r.post("/echo", (req, res) -> res.send(JsonBodies.read(req, Echo.class, null)))
                            .get("/refused", (req, res) -> {
                                throw new Refused();
                            })
                            .get("/boom", (req, res) -> {
                                throw new IllegalStateException("secret internals");
                            })
                            .get("/text", (req, res) -> res.send("plain"))
                            .error(Refused.class, (req, res, e) -> HttpErrors.send(res, Status.PAYMENT_REQUIRED_402,
                                    new ErrorBody("PAYMENT_REQUIRED", "pay first", Map.of("amount", 300))));
                    HttpErrors.register(r, CODES);
                })
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static HttpResponse<String> send(String method, String path, String body, String accept)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    @Test
    void aRecordGoesInAndOutWithTheProjectsInstants() throws Exception {
        HttpResponse<String> r = send("POST", "/echo", "{\"name\":\"a\\\"b\\\\c\",\"flag\":true,\"count\":2,"
                + "\"at\":\"2026-03-02T08:00:00Z\",\"unknown\":1}", null);
        assertThat(r.statusCode(), is(200));
        assertThat(r.headers().firstValue("Content-Type").orElse(""), startsWith("application/json"));
        assertThat(r.body(), is("{\"name\":\"a\\\"b\\\\c\",\"flag\":true,\"count\":2,\"at\":\"2026-03-02T08:00:00Z\"}"));
    }

    @Test
    void badBodiesAre400sThatNameTheProblem() throws Exception {
        HttpResponse<String> malformed = send("POST", "/echo", "{\"name\":", null);
        assertThat(malformed.statusCode(), is(400));
        assertThat(json(malformed).path("error").asText(), is("MALFORMED"));
        assertThat(json(send("POST", "/echo", "[1,2]", null)).path("error").asText(), is("MALFORMED"));
        assertThat(json(send("POST", "/echo", "null", null)).path("error").asText(), is("MALFORMED"));
        assertThat(json(send("POST", "/echo", null, null)).path("error").asText(), is("MALFORMED"));
        // A second value or a stray brace after the body is not ignored: the client meant something else.
        HttpResponse<String> trailing = send("POST", "/echo", "{\"name\":\"x\"}}", null);
        assertThat(trailing.statusCode(), is(400));
        assertThat(json(trailing).path("error").asText(), is("MALFORMED"));
        assertThat(json(send("POST", "/echo", "{\"name\":\"x\"} {\"name\":\"y\"}", null)).path("error").asText(),
                is("MALFORMED"));

        HttpResponse<String> number = send("POST", "/echo", "{\"name\":42}", null);
        assertThat(number.statusCode(), is(400));
        assertThat(json(number).path("error").asText(), is("BAD_FIELD"));
        assertThat(json(number).path("message").asText(), is("name must be a string"));
        assertThat(json(send("POST", "/echo", "{\"flag\":\"yes\"}", null)).path("message").asText(),
                is("flag must be true or false"));
        assertThat(json(send("POST", "/echo", "{\"count\":1.5}", null)).path("message").asText(),
                is("count must be a whole number"));
        assertThat(json(send("POST", "/echo", "{\"count\":-1}", null)).path("message").asText(),
                is("count must not be negative, was -1"));
    }

    @Test
    void errorsAreJsonWhateverTheClientAccepts() throws Exception {
        HttpResponse<String> filtered = send("GET", "/filtered", null, "text/event-stream");
        assertThat(filtered.statusCode(), is(401));
        assertThat(filtered.body(), is("{\"error\":\"UNAUTHORIZED\",\"message\":\"no token\"}"));

        HttpResponse<String> refused = send("GET", "/refused", null, "text/html");
        assertThat(refused.statusCode(), is(402));
        assertThat(refused.body(), is("{\"error\":\"PAYMENT_REQUIRED\",\"message\":\"pay first\",\"amount\":300}"));

        HttpResponse<String> boom = send("GET", "/boom", null, null);
        assertThat(boom.statusCode(), is(500));
        assertThat(boom.body(), is("{\"error\":\"INTERNAL_ERROR\",\"message\":\"unexpected error, see the log\"}"));

        HttpResponse<String> unknown = send("GET", "/nowhere", null, null);
        assertThat(unknown.statusCode(), is(404));
        assertThat(json(unknown).path("error").asText(), is("NOT_FOUND"));
    }

    @Test
    void textStaysText() throws Exception {
        HttpResponse<String> r = send("GET", "/text", null, null);
        assertThat(r.body(), is("plain"));
        assertThat(r.headers().firstValue("Content-Type").orElse(""), startsWith("text/plain"));
    }
}
