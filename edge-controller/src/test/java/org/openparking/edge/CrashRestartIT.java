package org.openparking.edge;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.protocol.Json;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.Ports;

/**
 * Kills a real edge process with SIGKILL while three lanes admit cars, restarts it on the same SQLite
 * file, and checks that every entry acknowledged with 201 is still there and the counts still agree.
 */
class CrashRestartIT {
    private static final Path JAR = Path.of("target/edge-controller.jar");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void acknowledgedEntriesSurviveKillMinusNine(@TempDir Path dir) throws Exception {
        assertThat("build the jar first (mvn package)", Files.exists(JAR), is(true));
        Path config = dir.resolve("edge.yaml");
        Files.writeString(config, """
                occupancy:
                  mode: counting
                capacity:
                  STANDARD: 100000
                lanes:
                  - { id: "in-1", direction: ENTRY }
                  - { id: "in-2", direction: ENTRY }
                  - { id: "in-3", direction: ENTRY }
                  - { id: "out-1", direction: EXIT }
                hardware:
                  debounce: PT0S
                  barrier-travel: PT0.05S
                """);
        int port = Ports.free();
        Map<String, String> env = Map.of("PARKING_CONFIG", config.toString(), "EDGE_DB_PATH",
                dir.resolve("edge.db").toString(), "SERVER_PORT", Integer.toString(port), "SERVER_HOST", "127.0.0.1");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Random random = new Random(42);
        for (int round = 0; round < 3; round++) {
            Process edge = JavaProcess.start(JAR, env, dir.resolve("edge.log"));
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService lanes = Executors.newFixedThreadPool(3);
            try {
                String base = "http://127.0.0.1:" + port + "/api/v1";
                awaitReady(base);
                checkConsistent(base, acknowledged);
                for (String lane : List.of("in-1", "in-2", "in-3")) {
                    lanes.submit(() -> drive(base, lane, acknowledged, stop));
                }
                int target = acknowledged.size() + 20 + random.nextInt(40);
                await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= target);
            } finally {
                JavaProcess.kill9(edge);
                stop.set(true);
                lanes.shutdownNow();
                lanes.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        Process edge = JavaProcess.start(JAR, env, dir.resolve("edge.log"));
        try {
            String base = "http://127.0.0.1:" + port + "/api/v1";
            awaitReady(base);
            assertThat(acknowledged.size(), greaterThan(60));
            checkConsistent(base, acknowledged);
        } finally {
            JavaProcess.kill9(edge);
        }
    }

    /** Every acknowledged session is stored, and the availability agrees with the open sessions. */
    private void checkConsistent(String base, Set<String> acknowledged) throws Exception {
        List<String> missing = new ArrayList<>();
        for (String id : acknowledged) {
            if (get(base + "/sessions/" + id).statusCode() != 200) {
                missing.add(id);
            }
        }
        assertThat("sessions acknowledged with 201 but lost", missing, is(empty()));
        JsonNode open = Json.mapper().readTree(get(base + "/sessions?status=OPEN&limit=1000").body());
        JsonNode availability = Json.mapper().readTree(get(base + "/availability").body());
        assertThat(availability.get("occupied").asInt(), is(open.size()));
    }

    private void drive(String base, String lane, Set<String> acknowledged, AtomicBoolean stop) {
        while (!stop.get()) {
            try {
                HttpResponse<String> r = post(base + "/lanes/" + lane + "/entries", "{}");
                if (r.statusCode() == 201) {
                    acknowledged.add(Json.mapper().readTree(r.body()).get("sessionId").asText());
                    post(base + "/simulator/lanes/" + lane + "/safety", "{\"present\":true}");
                    post(base + "/simulator/lanes/" + lane + "/safety", "{\"present\":false}");
                }
            } catch (IOException e) {
                return; // the process is gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void awaitReady(String base) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(base + "/availability").statusCode() == 200);
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
