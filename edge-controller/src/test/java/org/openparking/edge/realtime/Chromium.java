package org.openparking.edge.realtime;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openparking.protocol.Json;
import org.openparking.testing.Ports;

/**
 * Headless Debian Chromium driven over the Chrome DevTools Protocol with java.net.http's WebSocket: enough
 * to load a page, evaluate JavaScript in it and take a screenshot, without a browser-automation dependency.
 */
final class Chromium implements AutoCloseable {
    private static final ObjectMapper JSON = Json.mapper();

    private final Process process;
    private final Path profile;
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** The chromium binary, if installed. */
    static Optional<Path> binary() {
        return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                .map(Path::of).filter(Files::isExecutable).findFirst();
    }

    Chromium(Path binary, String url) throws IOException, InterruptedException {
        int port = Ports.free();
        profile = Files.createTempDirectory("chromium-profile");
        process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,900",
                "--remote-debugging-port=" + port, "--remote-allow-origins=*",
                "--user-data-dir=" + profile, url)
                .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
        String list = "http://127.0.0.1:" + port + "/json/list";
        String ws = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(list)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode target : JSON.readTree(r.body())) {
                if (target.get("type").asText().equals("page")) {
                    return target.get("webSocketDebuggerUrl").asText();
                }
            }
            return null;
        }, v -> v != null);
        socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
            private final StringBuilder frame = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                frame.append(data);
                if (last) {
                    try {
                        JsonNode message = JSON.readTree(frame.toString());
                        if (message.has("id")) {
                            CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
                            if (f != null) {
                                f.complete(message);
                            }
                        }
                    } catch (IOException e) {
                        // not a protocol message: ignore
                    }
                    frame.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        }).join();
    }

    /** Sends a DevTools command and waits for its result. */
    JsonNode call(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        socket.sendText(message.toString(), true).join();
        try {
            JsonNode reply = result.get(20, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException(method + " failed: " + reply.get("error"));
            }
            return reply.get("result");
        } catch (Exception e) {
            throw new IllegalStateException(method + " failed", e);
        }
    }

    /** Evaluates a JavaScript expression in the page; its value as text ("" when null or undefined). */
    String eval(String expression) {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        JsonNode value = r.path("result").path("value");
        return value.isMissingNode() || value.isNull() ? "" : value.asText();
    }

    void screenshot(Path png) throws IOException {
        JsonNode r = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        // Chromium's renderer and network processes outlive a killed parent and keep writing into the
        // profile: end the whole tree before deleting it.
        List<ProcessHandle> tree = new java.util.ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle p : tree) {
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a child that does not exit in time is left to the OS; the profile is deleted anyway
        }
        deleteTree(profile);
    }

    /** Deletes a directory tree; files that vanish while it walks are not an error. */
    private static void deleteTree(Path root) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (var files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                return;
            } catch (java.nio.file.NoSuchFileException e) {
                return;
            } catch (java.io.UncheckedIOException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }
}
