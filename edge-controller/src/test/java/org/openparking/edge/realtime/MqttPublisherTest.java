package org.openparking.edge.realtime;

import org.openparking.edge.TestEdge;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.Json;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Ports;
import org.openparking.testing.TestHttp;

/**
 * MQTT against real Mosquitto: the machine's broker on 1883 (random topic prefix per test), and for the outage
 * test a private broker this test starts, kills with SIGKILL and starts again.
 */
class MqttPublisherTest {
    private static final String BROKER = "tcp://127.0.0.1:1883";
    private static final Duration WAIT = Duration.ofSeconds(15);

    /** Brokers and prefixes used by the test, whose retained messages are removed afterwards. */
    private final List<String[]> used = new ArrayList<>();

    private String prefix(String broker, String lotId) {
        String prefix = "test-" + UUID.randomUUID() + "/";
        used.add(new String[] {broker, prefix, lotId});
        return prefix;
    }

    @AfterEach
    void clearRetained() throws Exception {
        for (String[] u : used) {
            MqttTopics topics = new MqttTopics(u[1], u[2], "L0");
            try {
                MqttProbe.clear(u[0], List.of(topics.availability(), topics.status(), topics.lane("in-1"),
                        topics.lane("out-1")));
            } catch (MqttException e) {
                // the private broker is gone already, and its retained messages with it
            }
        }
    }

    private static JsonNode json(String payload) {
        try {
            return Json.mapper().readTree(payload);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aLateSubscriberGetsRetainedAvailabilityStatusAndLanes() throws Exception {
        LiveEdge.Options base = LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3));
        String prefix = prefix(BROKER, base.lotId());
        LiveEdge.Options options = base.mqtt(BROKER, prefix);
        try (TestEdge edge = LiveEdge.start(options)) {
            MqttTopics topics = new MqttTopics(prefix, options.lotId(), "L0");
            edge.spot("STANDARD-002", true);
            await().atMost(WAIT).until(() -> edge.free() == 2);
            await().atMost(WAIT).until(() -> edge.app().realtime().mqttConnected());
            try (MqttProbe probe = new MqttProbe(BROKER, prefix + "#")) {
                MqttProbe.Received a = probe.next(topics.availability(), p -> json(p).get("free").asInt() == 2, WAIT);
                assertThat(a.retained(), is(true));
                JsonNode body = json(a.payload());
                JsonNode http = edge.get("/availability").body();
                assertThat(body.get("version"), is(http.get("version")));
                assertThat(body.get("byType"), is(http.get("byType")));
                assertThat(body.get("status").asText(), is("OPEN"));
                assertThat(body.get("lotId").asText(), is(options.lotId()));
                assertThat(probe.next(topics.status(), "online"::equals, WAIT).retained(), is(true));
                JsonNode lane = json(probe.next(topics.lane("out-1"), p -> true, WAIT).payload());
                assertThat(lane.get("laneId").asText(), is("out-1"));
                assertThat(lane.get("barrier").asText(), is("CLOSED"));
            }
        }
    }

    @Test
    void availabilityIsRepublishedEveryHeartbeatWithAFreshUpdatedAt() throws Exception {
        LiveEdge.Options base = LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 2))
                .heartbeat(Duration.ofMillis(300));
        String prefix = prefix(BROKER, base.lotId());
        LiveEdge.Options options = base.mqtt(BROKER, prefix);
        try (TestEdge edge = LiveEdge.start(options);
             MqttProbe probe = new MqttProbe(BROKER, prefix + "#")) {
            String topic = new MqttTopics(prefix, options.lotId(), "L0").availability();
            JsonNode first = json(probe.next(topic, p -> true, WAIT).payload());
            JsonNode later = json(probe.next(topic, p -> Instant.parse(json(p).get("updatedAt").asText())
                    .isAfter(Instant.parse(first.get("updatedAt").asText())), WAIT).payload());
            assertThat(later.get("version"), is(first.get("version")));
        }
    }

    @Test
    void aCrashedConnectionLeavesTheRetainedLastWillOffline() throws Exception {
        LiveEdge.Options base = LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 2));
        String prefix = prefix(BROKER, base.lotId());
        LiveEdge.Options options = base.mqtt(BROKER, prefix);
        try (TestEdge edge = LiveEdge.start(options);
             MqttProbe probe = new MqttProbe(BROKER, prefix + "#")) {
            String status = new MqttTopics(prefix, options.lotId(), "L0").status();
            probe.next(status, "online"::equals, WAIT);
            edge.app().realtime().crashMqtt();
            probe.next(status, "offline"::equals, WAIT);
            // A sign that subscribes only now still learns the level is offline: the will is retained.
            try (MqttProbe late = new MqttProbe(BROKER, status)) {
                assertThat(late.next(status, "offline"::equals, WAIT).retained(), is(true));
            }
        }
    }

    @Test
    void aLaneNeverWaitsForABrokerThatAcceptsAndNeverAnswers() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(blackHole.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            // heartbeat 30 s: the publisher's connect waits up to 30 s for an answer that never comes.
            LiveEdge.Options options = LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3))
                    .heartbeat(Duration.ofSeconds(30))
                    .mqtt("tcp://127.0.0.1:" + blackHole.getLocalPort(), "test-" + UUID.randomUUID() + "/");
            try (TestEdge edge = LiveEdge.start(options)) {
                try {
                    await().atMost(WAIT).until(() -> !held.isEmpty()); // the publisher is inside its connect
                    long started = System.nanoTime();
                    TestHttp.Response entry = edge.post("/lanes/in-1/entries", "{}");
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    assertThat(entry.toString(), entry.status(), is(201));
                    await().atMost(WAIT).until(() -> edge.free() < 3); // the entry counted
                    assertThat("the entry happened while the broker stalled",
                            edge.app().realtime().mqttConnected(), is(false));
                    // A lane that waited for the publisher would wait out the 30 s connect: half is a bound no
                    // machine load reaches, so this asserts the design, not the machine's speed.
                    assertThat(took, lessThan(Duration.ofSeconds(15)));
                } finally {
                    for (Socket s : held) {
                        s.close(); // lets the stalled connect fail now rather than hold up the edge's close
                    }
                }
            }
        }
    }

    @Test
    void aBrokerOutageNeitherBlocksLanesNorLosesTheCurrentState() throws Exception {
        int port = Ports.free();
        String uri = "tcp://127.0.0.1:" + port;
        LiveEdge.Options base = LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3))
                .heartbeat(Duration.ofSeconds(1));
        String prefix = "test-" + UUID.randomUUID() + "/"; // private broker: nothing outlives it
        LiveEdge.Options options = base.mqtt(uri, prefix);
        Process broker = mosquitto(port);
        try (TestEdge edge = LiveEdge.start(options)) {
            MqttTopics topics = new MqttTopics(prefix, options.lotId(), "L0");
            await().atMost(WAIT).until(() -> edge.app().realtime().mqttConnected());
            TestHttp.Response warmUp = edge.post("/lanes/in-1/entries", "{}"); // loads the entry path's classes
            assertThat(warmUp.toString(), warmUp.status(), is(201));
            edge.pass("in-1");

            broker.destroyForcibly().waitFor();
            await().atMost(WAIT).until(() -> !edge.app().realtime().mqttConnected());
            // With the broker gone, a car still enters and a spot change is still counted (that a lane never
            // waits for the broker is aLaneNeverWaitsForABrokerThatAcceptsAndNeverAnswers).
            TestHttp.Response entry = edge.post("/lanes/in-1/entries", "{}");
            assertThat(entry.toString(), entry.status(), is(201));
            edge.spot("STANDARD-003", true); // two sessions, one parked car: 1 free
            await().atMost(WAIT).until(() -> edge.free() == 1);
            long version = edge.get("/availability").body().get("version").asLong();

            // The restarted broker kept nothing (no persistence): the edge must publish the current state again.
            broker = mosquitto(port);
            try (MqttProbe probe = new MqttProbe(uri, prefix + "#")) {
                JsonNode a = json(probe.next(topics.availability(), p -> json(p).get("free").asInt() == 1, WAIT)
                        .payload());
                assertThat(a.get("version").asLong(), is(version));
                probe.next(topics.status(), "online"::equals, WAIT);
                assertThat(json(probe.next(topics.lane("in-1"), p -> true, WAIT).payload()).get("laneId").asText(),
                        is("in-1"));
            }
            assertThat(version, greaterThan(0L));
        } finally {
            broker.destroyForcibly().waitFor();
        }
    }

    @Test
    void credentialsFromConfigurationAreUsedAndWrongOnesNeverConnect() throws Exception {
        Path dir = Files.createTempDirectory("mosquitto-auth");
        // Started as root, mosquitto drops to its own user, which must be able to read the password file.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path passwd = dir.resolve("passwd");
        Process hash = new ProcessBuilder("mosquitto_passwd", "-b", "-c", passwd.toString(), "edge", "s3cret")
                .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
        assertThat(hash.waitFor(), is(0));
        int port = Ports.free();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous false\npassword_file " + passwd
                + "\n");
        Process broker = mosquitto(port, "-c", conf.toString());
        String uri = "tcp://127.0.0.1:" + port;
        try {
            LiveEdge.Options good = LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 1)).mqtt(uri, "");
            good = new LiveEdge.Options(good.capacity(), good.mode(), good.debounce(), good.lotId(),
                    new EdgeSettings.Mqtt(uri, "edge-good", "edge", "s3cret", Duration.ofSeconds(1), ""));
            try (TestEdge edge = LiveEdge.start(good)) {
                await().atMost(WAIT).until(() -> edge.app().realtime().mqttConnected());
            }
            LiveEdge.Options bad = new LiveEdge.Options(good.capacity(), good.mode(), good.debounce(), good.lotId(),
                    new EdgeSettings.Mqtt(uri, "edge-bad", "edge", "wrong", Duration.ofSeconds(1), ""));
            try (TestEdge edge = LiveEdge.start(bad)) {
                // Refused by the broker, the edge keeps counting and keeps retrying in the background.
                edge.spot("STANDARD-001", true);
                await().atMost(WAIT).until(() -> edge.free() == 0);
                assertThat(edge.app().realtime().mqttConnected(), is(false));
            }
        } finally {
            broker.destroyForcibly().waitFor();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Process mosquitto(int port, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("mosquitto"));
        command.addAll(args.length > 0 ? List.of(args) : List.of("-p", Integer.toString(port)));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
        await().atMost(WAIT).until(() -> {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }
}
