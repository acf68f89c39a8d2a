package org.openparking.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.Ports;
import org.openparking.testing.TestHttp;

/**
 * The real packaged edge controller ({@code edge-controller/target/edge-controller.jar} with its
 * {@code target/libs/}) as a child process: one simulated level with an entry lane {@code in-1} and
 * an exit lane {@code out-1}, counting occupancy, its own SQLite file, MQTT off, linked to the given
 * RabbitMQ vhost. The reactor builds the jar before cloud-sync's tests (cloud-sync's pom declares the
 * dependency for the order); alone, {@code mvn -pl cloud-sync} needs it built first.
 */
public final class EdgeProcess implements AutoCloseable {
    /** Where the jar is: system property {@code edge.jar} (set by the pom), else the sibling module's target. */
    public static final Path JAR = Path.of(System.getProperty("edge.jar", "../edge-controller/target/edge-controller.jar"))
            .toAbsolutePath().normalize();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;
    private final int port;
    private final TestHttp http = TestHttp.create();

    private EdgeProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts a level of {@code capacity} STANDARD places and waits until it answers its health check
     * and its relay is connected to the broker.
     */
    public static EdgeProcess start(String amqpUri, String lotId, String levelId, int capacity, Path dir)
            throws Exception {
        return start(amqpUri, lotId, levelId, capacity, dir, Map.of());
    }

    /** The same level with more environment variables (e.g. {@code AUTH_MODE=token}). */
    public static EdgeProcess start(String amqpUri, String lotId, String levelId, int capacity, Path dir,
                                    Map<String, String> moreEnv) throws Exception {
        requireBuilt();
        Path config = dir.resolve("edge-" + lotId + "-" + levelId + ".yaml");
        // The passage timeout is long so that a barrier the test opened stays open until it looked.
        Files.writeString(config, """
                hardware:
                  mode: simulated
                  debounce: PT0.01S
                  barrier-travel: PT0.02S
                occupancy:
                  mode: counting
                lane:
                  passage-timeout: PT10M
                cloud:
                  backoff-initial: PT0.2S
                  backoff-max: PT2S
                lanes:
                  - { id: "in-1", direction: ENTRY, raise-pin: 100, open-limit-pin: 101, closed-limit-pin: 102,
                      fault-pin: 103, arming-loop-pin: 104, safety-loop-pin: 105 }
                  - { id: "out-1", direction: EXIT, raise-pin: 106, open-limit-pin: 107, closed-limit-pin: 108,
                      fault-pin: 109, arming-loop-pin: 110, safety-loop-pin: 111 }
                capacity:
                  STANDARD: %d
                """.formatted(capacity));
        int port = Ports.free();
        Path log = dir.resolve("edge-" + lotId + "-" + levelId + ".log");
        Map<String, String> env = new java.util.HashMap<>(moreEnv);
        env.putAll(Map.of(
                "PARKING_CONFIG", config.toString(),
                "EDGE_LOT_ID", lotId,
                "EDGE_LEVEL_ID", levelId,
                "EDGE_DB_PATH", dir.resolve("edge-" + lotId + "-" + levelId + ".db").toString(),
                "SERVER_PORT", String.valueOf(port),
                "MQTT_URI", "",
                "HARDWARE_MODE", "simulated",
                "CLOUD_AMQP_URI", amqpUri));
        Process process = JavaProcess.start(JAR, env, log, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        EdgeProcess edge = new EdgeProcess(process, log, port);
        try {
            edge.until("edge answering with a connected relay", START_TIMEOUT,
                    () -> edge.get("/sync").path("connected").asBoolean());
            return edge;
        } catch (Exception | AssertionError e) {
            edge.close();
            throw e;
        }
    }

    /** Fails at once, with what to do, when the jar or its libraries are not there (no waiting on a process that cannot start). */
    public static void requireBuilt() {
        Path libs = JAR.resolveSibling("libs");
        if (!Files.isRegularFile(JAR) || !Files.isDirectory(libs)) {
            throw new IllegalStateException(JAR + " (with " + libs + ") is missing: this test runs the packaged edge"
                    + " controller. Build it first: `mvn -pl edge-controller -am package -DskipTests`, or run"
                    + " `mvn verify` from the repository root, which packages edge-controller before cloud-sync.");
        }
    }

    public String api() {
        return "http://127.0.0.1:" + port + "/api/v1";
    }

    /** GET on the edge API, 200 expected. */
    public JsonNode get(String path) throws Exception {
        TestHttp.Response r = http.get(api() + path);
        if (r.status() != 200) {
            throw new AssertionError("GET " + path + " on the edge: " + r);
        }
        return r.body();
    }

    /** GET on the edge API with {@code Authorization: Bearer token}; returns the status and body. */
    public TestHttp.Response get(String path, String token) {
        return http.get(api() + path, "Authorization", "Bearer " + token);
    }

    /** POST a JSON body on the edge API; returns the status and body. */
    public TestHttp.Response post(String path, String json) {
        return http.post(api() + path, json);
    }

    /** The lane as {@code GET /lanes} shows it. */
    public JsonNode lane(String laneId) throws Exception {
        for (JsonNode l : get("/lanes")) {
            if (laneId.equals(l.path("laneId").asText())) {
                return l;
            }
        }
        throw new AssertionError("no lane " + laneId + " on the edge");
    }

    /**
     * One car through an entry lane, as its loops see it: it arrives on the arming loop, the entry is
     * taken (ticket, session, gate opens), it drives onto the safety loop and clears both, and the
     * barrier comes down. Returns the entry's answer.
     */
    public JsonNode driveIn(String laneId, String plate) throws Exception {
        return driveInWith(laneId, "{\"plate\":\"" + plate + "\"}");
    }

    /** {@link #driveIn} with any entry body (a card, a reservation code). */
    public JsonNode driveInWith(String laneId, String entryJson) throws Exception {
        String loops = "/simulator/lanes/" + laneId;
        expect(202, post(loops + "/arming", "{\"present\":true}"));
        until("car waiting at " + laneId, Duration.ofSeconds(20), () -> lane(laneId).path("vehicleWaiting").asBoolean());
        TestHttp.Response entry = post("/lanes/" + laneId + "/entries", entryJson);
        expect(201, entry);
        until("barrier of " + laneId + " open for the car", Duration.ofSeconds(20),
                () -> "OPEN".equals(lane(laneId).path("barrier").asText()));
        expect(202, post(loops + "/safety", "{\"present\":true}"));
        until("car under the barrier of " + laneId, Duration.ofSeconds(20),
                () -> "VEHICLE_PASSING".equals(lane(laneId).path("phase").asText()));
        expect(202, post(loops + "/arming", "{\"present\":false}"));
        expect(202, post(loops + "/safety", "{\"present\":false}"));
        until("barrier of " + laneId + " down behind the car", Duration.ofSeconds(20), () -> {
            JsonNode l = lane(laneId);
            return "CLOSED".equals(l.path("barrier").asText()) && "IDLE".equals(l.path("phase").asText());
        });
        return entry.body();
    }

    private static void expect(int status, TestHttp.Response r) {
        if (r.status() != status) {
            throw new AssertionError("edge answered " + r.status() + " (expected " + status + "): " + r.text());
        }
    }

    /**
     * Polls until the condition holds (a condition that throws counts as not yet); fails with the last
     * such failure and the edge's log tail when it does not, or at once when the process died.
     */
    public void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Throwable last = null;
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("edge process exited (" + process.exitValue() + ") while waiting for "
                        + what + "\n" + logTail(), last);
            }
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (IOException | UncheckedIOException | AssertionError e) {
                last = e;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no " + what + " within " + timeout + "\n" + logTail(), last);
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "--- " + log + " (last lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no edge log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            JavaProcess.kill9(process);
        }
    }
}
