package org.openparking.edge.sync;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.Ports;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestHttp;

/**
 * The runnable jar as a child process, killed with SIGKILL again and again while vehicles enter:
 * every entry answered 201 is delivered to the broker in the end.
 */
class EdgeCrashIT {
    private static final int LANES = 8;
    private static final int PER_ROUND = 40;
    /** Quicker JVM start; the edge's start-up time, not its speed, bounds this test. */
    private static final String[] JVM_ARGS = {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};
    /** Start-up of the jar on a loaded CI machine can take a minute; the bound is generous on purpose. */
    private static final Duration START_AND_SERVE = Duration.ofSeconds(180);
    private static final TestHttp HTTP = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(5));

    @Test
    void everyAcknowledgedEntryIsDeliveredThroughRepeatedKillNine(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("edge.jar", "target/edge-controller.jar"));
        assertThat("build the jar first: mvn -o -pl edge-controller package -DskipTests", Files.exists(jar), is(true));
        int port = Ports.free();
        try (TestBroker broker = TestBroker.create(); EventTap tap = new EventTap(broker.uri())) {
            // Eight entry lanes whose gates close again soon after opening: many entries per second.
            StringBuilder yaml = new StringBuilder("occupancy:\n  mode: counting\ncapacity:\n  STANDARD: 5000\nlanes:\n");
            for (int i = 1; i <= LANES; i++) {
                yaml.append("  - { id: \"in-").append(i).append("\", direction: ENTRY }\n");
            }
            yaml.append("  - { id: \"out-1\", direction: EXIT }\n");
            Path config = Files.writeString(dir.resolve("edge.yaml"), yaml);
            Map<String, String> env = Map.of(
                    "PARKING_CONFIG", config.toString(),
                    "EDGE_LOT_ID", "lot-crash",
                    "EDGE_DB_PATH", dir.resolve("edge.db").toString(),
                    "SERVER_PORT", String.valueOf(port),
                    "CLOUD_AMQP_URI", broker.uri(),
                    "LANE_PASSAGE_TIMEOUT", "PT0.1S",
                    "HARDWARE_BARRIER_TRAVEL", "PT0.05S");
            Path log = dir.resolve("edge.log");
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger refused = new AtomicInteger();
            List<Thread> traffic = new ArrayList<>();
            for (int lane = 1; lane <= LANES; lane++) {
                String entries = "http://127.0.0.1:" + port + "/api/v1/lanes/in-" + lane + "/entries";
                traffic.add(Thread.ofPlatform().start(() -> drive(entries, running, acknowledged, refused)));
            }
            int kills = 2;
            Process edge = null;
            try {
                for (int round = 0; round < kills; round++) {
                    edge = JavaProcess.start(jar, env, log, JVM_ARGS);
                    int start = acknowledged.size();
                    await().atMost(START_AND_SERVE).until(() -> acknowledged.size() >= start + PER_ROUND);
                    JavaProcess.kill9(edge);
                }
                edge = JavaProcess.start(jar, env, log, JVM_ARGS);
                int before = acknowledged.size();
                await().atMost(START_AND_SERVE).until(() -> acknowledged.size() >= before + PER_ROUND);
                running.set(false);
                for (Thread t : traffic) {
                    t.join();
                }
                await().atMost(Duration.ofSeconds(120)).until(() -> tap.openedSessions().containsAll(acknowledged));
                Set<String> missing = new HashSet<>(acknowledged);
                missing.removeAll(tap.openedSessions());
                assertThat(missing, is(empty()));
                assertLocallyConsistent(port, acknowledged);
                assertThat(acknowledged.size(), greaterThanOrEqualTo((kills + 1) * PER_ROUND));
                System.out.printf("kill -9 x%d: %d entries acknowledged, all delivered; %d deliveries of %d distinct"
                                + " messages (%d duplicates), %d failed requests while down%n", kills,
                        acknowledged.size(), tap.deliveries(), tap.distinct(), tap.deliveries() - tap.distinct(),
                        refused.get());
            } catch (Throwable t) {
                System.out.println(Files.exists(log) ? Files.readString(log) : "(no log)");
                throw t;
            } finally {
                running.set(false);
                if (edge != null) {
                    JavaProcess.kill9(edge);
                }
            }
        }
    }

    /**
     * The restarted level still holds every acknowledged session, and its availability agrees with its
     * open sessions: nothing acknowledged was lost locally and no count drifted through the crashes.
     */
    private static void assertLocallyConsistent(int port, Set<String> acknowledged) throws Exception {
        String base = "http://127.0.0.1:" + port + "/api/v1";
        List<String> lost = new ArrayList<>();
        for (String id : acknowledged) {
            if (HTTP.get(base + "/sessions/" + id).status() != 200) {
                lost.add(id);
            }
        }
        assertThat("acknowledged with 201 but not stored after restart", lost, is(empty()));
        int open = HTTP.get(base + "/sessions?status=OPEN&limit=1000").body().size();
        int occupied = HTTP.get(base + "/availability").body().get("occupied").asInt();
        assertThat("availability agrees with open sessions after the crashes", occupied, is(open));
    }

    /** Paces a load generator's retries (not a wait for a condition), so it does not starve the edge's CPU. */
    private static void pace() {
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }

    /** One lane's terminal: enters vehicles as fast as the lane lets it, remembering every 201. */
    private static void drive(String entries, AtomicBoolean running, Set<String> acknowledged, AtomicInteger refused) {
        while (running.get()) {
            try {
                TestHttp.Response r = HTTP.post(entries, "{}");
                if (r.status() == 201) {
                    acknowledged.add(r.body().get("sessionId").asText());
                } else {
                    pace(); // LANE_BUSY: the previous vehicle's gate is still open
                }
            } catch (UncheckedIOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                refused.incrementAndGet(); // the edge is down: try again
                pace();
            }
        }
    }
}
