package org.openparking.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Headless Debian Chromium driven over the Chrome DevTools Protocol with java.net.http's WebSocket, no
 * browser-automation dependency: open a page, evaluate JavaScript in it, wait for a condition, take a
 * screenshot. Each browser has a fresh profile, deleted on close.
 */
public final class Chromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final HttpClient webSockets = HttpClient.newHttpClient();
    private WebSocket socket;

    private Chromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
    }

    /** The chromium binary, if installed. */
    public static Optional<Path> binary() {
        return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                .map(Path::of).filter(Files::isExecutable).findFirst();
    }

    public static boolean available() {
        return binary().isPresent();
    }

    /** A browser on about:blank; fails when none is installed. */
    public static Chromium start() throws Exception {
        return start(binary().orElseThrow(() -> new IllegalStateException(
                "chromium is not installed (apt-get install -y chromium)")));
    }

    public static Chromium start(Path binary) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        // These flags are what works headless in a container here: no sandbox, no GPU, nothing fetched
        // in the background; port 0 with the chosen port in <profile>/DevToolsActivePort (no race for it).
        Process process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        Chromium chromium = new Chromium(process, profile);
        try {
            chromium.connect();
            chromium.send("Page.enable", Map.of());
            chromium.send("Runtime.enable", Map.of());
            return chromium;
        } catch (Exception | Error e) {
            chromium.close();
            throw e;
        }
    }

    private void connect() throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        int port = poll("chromium's DevToolsActivePort", START, () -> {
            List<String> lines = Files.exists(portFile) ? Files.readAllLines(portFile) : List.of();
            return lines.size() >= 2 ? Integer.parseInt(lines.getFirst().trim()) : null;
        });
        String page;
        try (TestHttp http = TestHttp.create()) {
            page = poll("chromium's page target", START, () -> {
                for (JsonNode target : http.get("http://127.0.0.1:" + port + "/json/list").body()) {
                    if ("page".equals(target.path("type").asText())) {
                        return target.get("webSocketDebuggerUrl").asText();
                    }
                }
                return null;
            });
        }
        socket = webSockets.newWebSocketBuilder().buildAsync(URI.create(page), new Frames()).get(10, TimeUnit.SECONDS);
    }

    /** Sends a DevTools command and waits for its result. */
    public JsonNode send(String method, Map<String, ?> params) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
        JsonNode reply = result.get(30, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.get("result");
    }

    /** Loads {@code url} and waits until the document is complete. */
    public void navigate(String url) throws Exception {
        send("Page.navigate", Map.of("url", url));
        poll("page " + url + " loaded", Duration.ofSeconds(20),
                () -> "complete".equals(eval("document.readyState").asText()) ? true : null);
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

    /** {@link #eval} as text: "" when the value is null or undefined. */
    public String text(String expression) throws Exception {
        JsonNode value = eval(expression);
        return value.isMissingNode() || value.isNull() ? "" : value.asText();
    }

    /** Waits until {@code expression} evaluates to true in the page; fails with what the page shows. */
    public void waitFor(String expression, Duration timeout) throws Exception {
        try {
            poll(expression, timeout, () -> eval(expression).asBoolean(false) ? true : null);
        } catch (AssertionError e) {
            throw new AssertionError("page never got to " + expression + "; it shows: "
                    + eval("document.body.innerText") + " at " + eval("location.href"), e);
        }
    }

    public void screenshot(Path png) throws Exception {
        JsonNode r = send("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.abort();
        }
        webSockets.shutdownNow();
        // Chromium's renderer and network processes outlive a killed parent and keep writing into the
        // profile: end the whole tree before deleting it.
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle p : tree) {
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
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
            } catch (NoSuchFileException e) {
                return;
            } catch (UncheckedIOException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Polls until {@code value} is non-null (an exception counts as not yet); AssertionError on timeout. */
    private <T> T poll(String what, Duration timeout, Callable<T> value) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("chromium exited (" + process.exitValue() + ") waiting for " + what);
            }
            try {
                T v = value.call();
                if (v != null) {
                    return v;
                }
            } catch (Exception e) {
                last = e;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new AssertionError("no " + what + " within " + timeout, last);
    }

    /** Collects partial text frames into whole messages and completes the waiting command. */
    private final class Frames implements WebSocket.Listener {
        private final StringBuilder frame = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            frame.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(frame.toString());
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(message.get("id").asLong());
                        if (f != null) {
                            f.complete(message);
                        }
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
                frame.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
