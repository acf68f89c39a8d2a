package org.openparking.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.sync.SyncSettings;
import org.openparking.platform.config.ConfigInput;
import org.openparking.protocol.Json;

/**
 * The package step's training run for the JDK AOT cache ({@code -XX:AOTCacheOutput}, see edge-controller's
 * pom): starts a level on the embedded defaults in a temporary directory, drives a few whole car passages
 * (entry, barrier, exit, barrier) and the reads a console makes through HTTP, stops it and exits, so the
 * JVM stores what start-up and a car passage load and link. Never run on a lot.
 */
public final class AotTraining {
    private static final int CARS = 30;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        LogConfig.configureRuntime();
        Path dir = Files.createTempDirectory("edge-aot-training");
        System.setProperty("edge.db-path", dir.resolve("edge.db").toString());
        System.setProperty("server.port", "0");
        System.setProperty("server.host", "127.0.0.1");
        // a simulated car crosses the safety loop in a moment: no debounce to swallow it, a quick barrier
        System.setProperty("hardware.debounce", "PT0S");
        System.setProperty("hardware.barrier-travel", "PT0.02S");
        Config config = EdgeSettings.load(ConfigInput.process());
        EdgeApplication edge = EdgeApplication.start(EdgeSettings.create(config), config.get("server"),
                SyncSettings.create(config.get("cloud")), Clock.systemUTC());
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + edge.port() + "/api/v1";
            for (int i = 0; i < CARS; i++) {
                JsonNode entry = post(http, base + "/lanes/in-1/entries", "{}");
                pass(http, base, "in-1");
                post(http, base + "/lanes/out-1/exits", "{\"ticket\":\"" + entry.get("ticket").asText() + "\"}");
                pass(http, base, "out-1");
                get(http, base + "/availability");
            }
            get(http, base + "/sessions?limit=10");
            get(http, base + "/lanes");
        } finally {
            edge.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0); // the JVM writes the AOT cache on exit
    }

    private static void pass(HttpClient http, String base, String lane) throws IOException, InterruptedException {
        post(http, base + "/simulator/lanes/" + lane + "/safety", "{\"present\":true}");
        post(http, base + "/simulator/lanes/" + lane + "/safety", "{\"present\":false}");
    }

    private static JsonNode post(HttpClient http, String url, String body) throws IOException, InterruptedException {
        return send(http, HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static void get(HttpClient http, String url) throws IOException, InterruptedException {
        send(http, HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    private static JsonNode send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        // the lane handles the previous car's safety loop on its own thread: wait for it to close the gate
        for (int i = 0; i < 500 && r.statusCode() == 409 && r.body().contains("LANE_BUSY"); i++) {
            Thread.sleep(10);
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? null : Json.mapper().readTree(r.body());
    }
}
