package org.openparking.edge.realtime;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.openparking.testing.Ports;

/**
 * Hostile input at the MQTT side. Nothing in the project reads MQTT: the edge only publishes availability,
 * lane and status topics, and signs and consoles subscribe. What MQTT takes from outside is therefore the
 * broker's access list, and this property throws generated publishes at it: a private Mosquitto started on
 * its own port with the Ansible role's own ACL template ({@code ansible/roles/mosquitto/templates/parking.acl.j2},
 * rendered with Jinja2 as the role renders it, for a lot of two edges and a sign) and password file. Every
 * publish by an edge to a topic outside its level and its own lanes (another level, another lane, another
 * lot, another kind of lane topic, case and separator variants, {@code $SYS}, long and non-ASCII topics),
 * and every publish by a sign, must reach no subscriber (an auditor that reads {@code #} sees every message the
 * broker accepts), and the broker must stay up with every client connected, logging at most a couple of lines
 * per input. Publishes the ACL allows are generated too and must arrive, so the test cannot pass by a broker
 * that drops everything. Connections without a password or with a wrong one are refused.
 */
class MqttAclHostileInputTest {
    private static final String LOT = "lotfz";
    private static final Map<String, List<String>> LANES = Map.of("L0", List.of("L0-in", "L0-out"), "L1", List.of("L1-in"));
    private static Path dir;
    private static Process mosquitto;
    private static int port;
    private static MqttClient edge0;
    private static MqttClient edge1;
    private static MqttClient sign;
    private static MqttClient auditor;
    private static final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("mqtt-acl");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        Path template = repoRoot().resolve("ansible/roles/mosquitto/templates/parking.acl.j2");
        String vars = "{\"mosquitto_lot_id\":\"" + LOT + "\",\"mosquitto_signs\":[{\"name\":\"sign-fz\"}],"
                + "\"mosquitto_edges\":[{\"username\":\"edge-L0\",\"level\":\"L0\",\"lanes\":[\"L0-in\",\"L0-out\"]},"
                + "{\"username\":\"edge-L1\",\"level\":\"L1\",\"lanes\":[\"L1-in\"]}]}";
        Path acl = dir.resolve("parking.acl");
        run("python3", "-c", "import jinja2,json,sys; t=jinja2.Template(open(sys.argv[1]).read()); "
                + "open(sys.argv[2],'w').write(t.render(**json.loads(sys.argv[3])))", template.toString(), acl.toString(), vars);
        // The auditor is the test's own reader of everything, not part of the role's file.
        Files.writeString(acl, Files.readString(acl) + "\nuser auditor\ntopic read #\n");
        Path passwd = dir.resolve("parking.passwd");
        run("mosquitto_passwd", "-c", "-b", passwd.toString(), "edge-L0", "pw-L0");
        run("mosquitto_passwd", "-b", passwd.toString(), "edge-L1", "pw-L1");
        run("mosquitto_passwd", "-b", passwd.toString(), "sign-fz", "pw-sign");
        run("mosquitto_passwd", "-b", passwd.toString(), "auditor", "pw-auditor");
        port = Ports.free();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous false\npassword_file " + passwd
                + "\nacl_file " + acl + "\npersistence false\nlog_dest stdout"
                + "\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n");
        for (Path p : List.of(acl, passwd, conf)) {
            p.toFile().setReadable(true, false);
        }
        mosquitto = new ProcessBuilder("mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        auditor = client("auditor", "pw-auditor");
        auditor.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                seen.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        auditor.subscribe("#", 1);
        edge0 = client("edge-L0", "pw-L0");
        edge1 = client("edge-L1", "pw-L1");
        sign = client("sign-fz", "pw-sign");
    }

    @AfterContainer
    static void stop() throws Exception {
        for (MqttClient c : new MqttClient[] {edge0, edge1, sign, auditor}) {
            if (c != null && c.isConnected()) {
                c.disconnectForcibly(1000);
            }
        }
        if (mosquitto != null) {
            mosquitto.destroy();
            mosquitto.waitFor();
        }
    }

    record Publish(String actor, String topic, boolean allowed, String kind) {
    }

    @Property(tries = 500)
    void onlyWhatTheAclAllowsReachesASubscriber(@ForAll("publishes") Publish p) throws Exception {
        net.jqwik.api.statistics.Statistics.label("allowed by the ACL").collect(p.allowed());
        long logBefore = logLines();
        String payload = "hostile-" + UUID.randomUUID();
        MqttClient from = switch (p.actor()) {
            case "edge-L0" -> edge0;
            case "edge-L1" -> edge1;
            default -> sign;
        };
        from.publish(p.topic(), payload.getBytes(StandardCharsets.UTF_8), 1, false);
        // The broker handles one client's publishes in order and has acknowledged this one: once the auditor
        // has a marker published after it, a message the broker accepted would have reached it before.
        String marker = "marker-" + UUID.randomUUID();
        edge1.publish("parking/" + LOT + "/levels/L1/marker", marker.getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().anyMatch(s -> s.endsWith(" " + marker)));
        boolean arrived = seen.contains(p.topic() + " " + payload);
        assertThat(p + ": delivered", arrived, is(p.allowed()));
        assertThat(p + ": every client still connected", edge0.isConnected() && edge1.isConnected() && sign.isConnected()
                && auditor.isConnected(), is(true));
        assertThat(p + ": broker running", mosquitto.isAlive(), is(true));
        assertThat(p + ": broker log lines for one publish", logLines() - logBefore, lessThanOrEqualTo(2L));
    }

    @Property(tries = 20)
    void noPasswordOrAWrongOneIsRefused(@ForAll("credentials") String[] userAndPassword) {
        MqttClient c = null;
        boolean connected = false;
        try {
            c = new MqttClient("tcp://127.0.0.1:" + port, "intruder-" + UUID.randomUUID(), new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setConnectionTimeout(5);
            if (userAndPassword[0] != null) {
                o.setUserName(userAndPassword[0]);
                o.setPassword(userAndPassword[1].toCharArray());
            }
            c.connect(o);
            connected = c.isConnected();
        } catch (MqttException e) {
            connected = false; // refused (not authorised, bad credentials, or the connection closed on it)
        } finally {
            if (c != null) {
                try {
                    c.close(true);
                } catch (MqttException ignored) {
                    // not connected
                }
            }
        }
        assertThat("connected as " + userAndPassword[0], connected, is(false));
        assertThat(mosquitto.isAlive(), is(true));
    }

    @Provide
    Arbitrary<String[]> credentials() {
        return Arbitraries.oneOf(Arbitraries.just(new String[] {null, null}),
                Combinators.combine(Arbitraries.of("edge-L0", "edge-L1", "sign-fz", "auditor", "admin", ""),
                        Arbitraries.strings().ofMinLength(1).ofMaxLength(40).filter(s -> !s.startsWith("pw-")))
                        .as((u, pw) -> new String[] {u, pw}));
    }

    @Provide
    Arbitrary<Publish> publishes() {
        Arbitrary<String> actor = Arbitraries.of("edge-L0", "edge-L1", "sign-fz");
        Arbitrary<String> suffix = Arbitraries.of("availability", "status", "spots/12", "x", "a/b/c", "", "..", "#x",
                "\u00fcber", "\u0420\u0443\u0441");
        Arbitrary<String> level = Arbitraries.of("L0", "L1", "L2", "l0", "L0 ", " L0", "L0/", "L", "L00", "+", "");
        Arbitrary<String> lane = Arbitraries.of("L0-in", "L0-out", "L1-in", "L1-out", "L0-IN", "l0-in", "L0-in ", "x");
        Arbitrary<String> lot = Arbitraries.of(LOT, LOT, LOT, "other", "LOTFZ", LOT + "x", "", LOT + "/levels");
        Arbitrary<String> topic = Arbitraries.oneOf(
                Combinators.combine(lot, level, suffix).as((l, v, s) -> "parking/" + l + "/levels/" + v + "/" + s),
                Combinators.combine(lot, level).as((l, v) -> "parking/" + l + "/levels/" + v),
                Combinators.combine(lot, lane, Arbitraries.of("state", "state/x", "State", "command", ""))
                        .as((l, n, k) -> "parking/" + l + "/lanes/" + n + "/" + k),
                Arbitraries.of("parking/" + LOT, "parking", "Parking/" + LOT + "/levels/L0/x", "/parking/" + LOT + "/levels/L0/x",
                        "parking//levels/L0/x", "$SYS/broker/x", "$share/g/parking/" + LOT + "/levels/L0/x", "other/topic",
                        "parking/" + LOT + "/lanes/L0-in", "parking/" + LOT + "/lanes"),
                Arbitraries.integers().between(200, 20_000).map(n -> "parking/" + LOT + "/levels/L1/" + "y".repeat(n)),
                Arbitraries.integers().between(200, 20_000).map(n -> "parking/" + LOT + "/levels/L0/" + "y".repeat(n)));
        return Combinators.combine(actor, topic).as((a, t) -> new Publish(a, t, allowed(a, t), "publish"))
                .filter(p -> !p.topic().contains("#") && !p.topic().contains("+"));
    }

    /** The role's rules, as written in the template: an edge its level's subtree and its own lanes' state. */
    private static boolean allowed(String actor, String topic) {
        if (!actor.startsWith("edge-")) {
            return false;
        }
        String level = actor.substring("edge-".length());
        String base = "parking/" + LOT + "/levels/" + level;
        if (topic.equals(base) || topic.startsWith(base + "/")) {
            return true;
        }
        return LANES.get(level).stream().anyMatch(l -> topic.equals("parking/" + LOT + "/lanes/" + l + "/state"));
    }

    private static MqttClient client(String user, String password) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, user + "-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        o.setCleanSession(true);
        o.setConnectionTimeout(5);
        c.connect(o);
        return c;
    }

    private static long logLines() throws Exception {
        Path log = dir.resolve("mosquitto.out"); // the broker's log (it drops root, so it writes stdout)
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1).size() : 0;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("ansible/roles/mosquitto"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no ansible/roles/mosquitto above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
