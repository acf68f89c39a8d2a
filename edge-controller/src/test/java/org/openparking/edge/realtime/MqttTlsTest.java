package org.openparking.edge.realtime;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.TestEdge;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Ports;

/**
 * The edge's MQTT publisher over TLS, against a private Mosquitto this test starts with a TLS listener on its
 * own port and a certificate for 127.0.0.1 signed by a CA generated here (and a plaintext listener the probe
 * reads from): with {@code mqtt.tls-ca-file} naming that CA the edge connects and its retained availability
 * arrives; an edge trusting another CA never connects; the file must hold a certificate and the URI must be
 * {@code ssl://}.
 */
class MqttTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theEdgePublishesOverTlsToABrokerItsCaVouchesForAndToNoOther(@TempDir Path dir) throws Exception {
        Path ca = certificateAuthority(dir, "ca");
        Path otherCa = certificateAuthority(dir, "other-ca");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=127.0.0.1");
        Files.writeString(dir.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "san.cnf");
        // Mosquitto started as root reads its files as the mosquitto user: let it (test keys only).
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String f : List.of("ca.crt", "server.crt", "server.key")) {
            Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
        }
        int tlsPort = Ports.free();
        int plainPort = Ports.free();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, """
                per_listener_settings false
                allow_anonymous true
                listener %d 127.0.0.1
                listener %d 127.0.0.1
                cafile %s
                certfile %s
                keyfile %s
                """.formatted(plainPort, tlsPort, ca, dir.resolve("server.crt"), dir.resolve("server.key")));
        Process mosquitto = new ProcessBuilder("mosquitto", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        try {
            String plain = "tcp://127.0.0.1:" + plainPort;
            String tls = "ssl://127.0.0.1:" + tlsPort;
            await().atMost(WAIT).ignoreExceptions().until(() -> {
                MqttProbe.clear(plain, List.of("probe/ready"));
                return true;
            });
            LiveEdge.Options base = LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3));
            String prefix = "tls-" + base.lotId() + "/";
            LiveEdge.Options trusting = new LiveEdge.Options(base.capacity(), base.mode(), base.debounce(),
                    base.lotId(), new EdgeSettings.Mqtt(tls, "edge-" + base.lotId(), "", "", Duration.ofSeconds(10),
                    prefix, ca.toString()));
            LiveEdge.Options wrongCa = new LiveEdge.Options(base.capacity(), base.mode(), base.debounce(),
                    base.lotId() + "x", new EdgeSettings.Mqtt(tls, "edge-" + base.lotId() + "x", "", "",
                    Duration.ofSeconds(10), prefix, otherCa.toString()));
            try (TestEdge impostorTrust = LiveEdge.start(wrongCa); TestEdge edge = LiveEdge.start(trusting);
                 MqttProbe probe = new MqttProbe(plain, prefix + "#")) {
                MqttTopics topics = new MqttTopics(prefix, base.lotId(), "L0");
                edge.spot("STANDARD-001", true);
                await().atMost(WAIT).until(() -> edge.app().realtime().mqttConnected());
                probe.next(topics.availability(), p -> p.contains("\"free\":2"), WAIT);
                assertThat("an edge trusting another CA connected", impostorTrust.app().realtime().mqttConnected(),
                        is(false));
            }
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCaFileWithoutACertificateOrWithoutTlsIsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        IllegalArgumentException noCert = assertThrows(IllegalArgumentException.class,
                () -> MqttPublisher.trusting(empty));
        assertThat(noCert.getMessage(), containsString("mqtt.tls-ca-file"));
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> new EdgeSettings.Mqtt("tcp://127.0.0.1:1883", "c", "", "", Duration.ofSeconds(10), "",
                        empty.toString()));
        assertThat(plain.getMessage(), containsString("mqtt.tls-ca-file is set but mqtt.uri is not ssl://"));
    }

    private static Path certificateAuthority(Path dir, String name) throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt",
                "-days", "2", "-subj", "/CN=" + name);
        return dir.resolve(name + ".crt");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
