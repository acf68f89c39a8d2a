package org.openparking.cloud.portal;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openparking.protocol.Json;

/**
 * Headless Chromium driven over the Chrome DevTools protocol (java.net.http WebSocket + Jackson,
 * no driver library): start, open the first page's debugging socket, send commands, evaluate
 * JavaScript, take screenshots.
 */
public final class Chromium implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/chromium");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private Chromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static Chromium start() throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--remote-debugging-port=0", "--window-size=1280,900",
                "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile)
                    && Files.readAllLines(portFile).size() >= 2);
            int port = Integer.parseInt(Files.readAllLines(portFile).getFirst().trim());
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = await().atMost(Duration.ofSeconds(30)).until(() -> {
                String json = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                for (JsonNode t : Json.mapper().readTree(json)) {
                    if ("page".equals(t.path("type").asText())) {
                        return t.get("webSocketDebuggerUrl").asText();
                    }
                }
                return null;
            }, s -> s != null);
            Holder holder = new Holder();
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), holder.listener())
                    .get(10, TimeUnit.SECONDS);
            Chromium chromium = new Chromium(process, profile, socket);
            holder.owner = chromium;
            chromium.send("Page.enable", Map.of());
            chromium.send("Runtime.enable", Map.of());
            return chromium;
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Sends a command and waits for its result. */
    public JsonNode send(String method, Map<String, ?> params) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        ObjectNode msg = Json.mapper().createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", Json.mapper().valueToTree(params));
        socket.sendText(Json.mapper().writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode reply = result.get(30, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.get("result");
    }

    public void navigate(String url) throws Exception {
        send("Page.navigate", Map.of("url", url));
        await().atMost(Duration.ofSeconds(20)).until(() -> "complete".equals(eval("document.readyState").asText()));
    }

    /** Evaluates an expression in the page (promises awaited) and returns its value. */
    public JsonNode eval(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page threw: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Waits until {@code expression} evaluates to true in the page. */
    public void waitFor(String expression, Duration timeout) throws Exception {
        try {
            await().atMost(timeout).ignoreExceptions().until(() -> eval(expression).asBoolean(false));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("page never got to " + expression + "; it shows: "
                    + eval("document.body.innerText") + " at " + eval("location.href") + "; app.js: "
                    + eval("fetch('/portal/app.js').then(r => r.status + ' ' + r.headers.get('content-type'))"), e);
        }
    }

    public void screenshot(Path file) throws Exception {
        JsonNode r = send("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    }

    public List<String> consoleLog() throws IOException {
        return Files.readAllLines(profile.resolve("chromium.log"));
    }

    private void onMessage(String text) {
        try {
            JsonNode node = Json.mapper().readTree(text);
            if (node.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(node.get("id").asLong());
                if (f != null) {
                    f.complete(node);
                }
            }
        } catch (IOException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    @Override
    public void close() throws Exception {
        try {
            socket.abort();
        } finally {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Collects partial text frames into whole messages. */
    private static final class Holder {
        volatile Chromium owner;
        private final StringBuilder buffer = new StringBuilder();

        WebSocket.Listener listener() {
            return new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    buffer.append(data);
                    if (last) {
                        String message = buffer.toString();
                        buffer.setLength(0);
                        if (owner != null) {
                            owner.onMessage(message);
                        }
                    }
                    ws.request(1);
                    return null;
                }
            };
        }
    }
}
