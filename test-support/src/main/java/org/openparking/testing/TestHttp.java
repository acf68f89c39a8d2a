package org.openparking.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The one HTTP client of the tests, the benchmarks and the simulator: JSON in, status, headers, text and
 * parsed JSON out. HTTP/1.1 only (no h2c upgrade attempt, as a lane terminal or a browser on plain http).
 * Failures to connect or read throw {@link UncheckedIOException}; an interrupt throws it with an
 * {@link InterruptedIOException} and keeps the thread's interrupt flag.
 */
public final class TestHttp implements AutoCloseable {
    // Only parses trees: no feature of the services' mapper applies to that.
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final Duration timeout;
    private final boolean expectContinue;

    private TestHttp(HttpClient client, Duration timeout, boolean expectContinue) {
        this.client = client;
        this.timeout = timeout;
        this.expectContinue = expectContinue;
    }

    /** Connect timeout 5 s, request timeout 20 s. */
    public static TestHttp create() {
        return create(Duration.ofSeconds(5), Duration.ofSeconds(20));
    }

    public static TestHttp create(Duration connectTimeout, Duration requestTimeout) {
        return new TestHttp(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout).build(), requestTimeout, false);
    }

    /**
     * The same client, sending {@code Expect: 100-continue} with each body, as a well-behaved client sends a
     * large one: a server refusing it by its Content-Length answers before the body is on the wire.
     */
    public TestHttp expectingContinue() {
        return new TestHttp(client, timeout, true);
    }

    /** {@code headers} are name, value pairs. */
    public Response get(String url, String... headers) {
        return send("GET", url, null, headers);
    }

    public Response post(String url, String json, String... headers) {
        return send("POST", url, json, headers);
    }

    public Response put(String url, String json, String... headers) {
        return send("PUT", url, json, headers);
    }

    /**
     * Any method; a non-empty {@code json} is sent as {@code application/json}. An event stream never ends, so
     * its response holds the first line only.
     */
    public Response send(String method, String url, String json, String... headers) {
        HttpResponse<InputStream> r = exchange(request(method, url, json, headers)
                .timeout(timeout).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            String text = isEventStream(r.headers())
                    ? firstLine(in)
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(r.statusCode(), r.headers(), text);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + url, e);
        }
    }

    /** A GET whose body is read as it arrives (server-sent events); no request timeout. */
    public Streaming stream(String url, String... headers) {
        HttpResponse<InputStream> r = exchange(request("GET", url, null, headers).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        return new Streaming(r.statusCode(), r.headers(), r.body());
    }

    /** Ends every exchange of this client at once, open streams included. */
    @Override
    public void close() {
        client.shutdownNow();
    }

    private HttpRequest.Builder request(String method, String url, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).expectContinue(expectContinue);
        if (headers.length > 0) {
            b.headers(headers);
        }
        if (json == null || json.isEmpty()) {
            return b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json));
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return client.send(request, body);
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException(request.method() + " " + request.uri()));
        }
    }

    private static boolean isEventStream(HttpHeaders headers) {
        return headers.firstValue("Content-Type").orElse("").startsWith("text/event-stream");
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    /**
     * Writes {@code request} as it is onto a fresh connection to {@code port} on loopback and returns the
     * status and the body, for requests no HTTP client would send (a malformed request line, a lying
     * Content-Length). Reads until the server closes or 5 s pass.
     */
    public static RawResponse raw(int port, String request) {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buf)) != -1; ) {
                    all.write(buf, 0, n);
                    String sofar = all.toString(StandardCharsets.UTF_8);
                    int headEnd = sofar.indexOf("\r\n\r\n");
                    java.util.regex.Matcher len = java.util.regex.Pattern
                            .compile("(?im)^content-length:\\s*(\\d+)").matcher(sofar);
                    if (headEnd >= 0 && len.find()
                            && all.size() >= headEnd + 4 + Integer.parseInt(len.group(1))) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // what arrived is the answer
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? text : text.substring(0, headEnd);
            String body = headEnd < 0 ? "" : text.substring(headEnd + 4);
            String[] statusLine = head.split("\r\n", 2)[0].split(" ");
            int status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
            return new RawResponse(status, head, parse(body));
        } catch (IOException e) {
            throw new UncheckedIOException("raw request to port " + port, e);
        }
    }

    /** What {@link #raw} read: the status, the head as text, the body as JSON. */
    public record RawResponse(int status, String head, JsonNode body) {
        public String error() {
            return body.path("error").asText(null);
        }
    }

    /** JSON text as a tree; {@link MissingNode} when empty or not JSON. */
    public static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** Status, headers, the body as text and as JSON ({@link MissingNode} when empty or not JSON). */
    public record Response(int status, HttpHeaders headers, String text, JsonNode body) {
        public Response(int status, HttpHeaders headers, String text) {
            this(status, headers, text, parse(text));
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The first value of a header, or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The {@code error} code of an error body, or null. */
        public String error() {
            return body.path("error").asText(null);
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    /** An open response body; close it to end the exchange. */
    public record Streaming(int status, HttpHeaders headers, InputStream body) implements AutoCloseable {
        /** The body's lines as they arrive. */
        public Stream<String> lines() {
            return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)).lines();
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // the exchange is over either way
            }
        }
    }
}
