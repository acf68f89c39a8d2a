package org.openparking.simulator;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.OpenBarrier;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.RefundRequested;
import org.openparking.protocol.RefundResult;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.TrustOperatorKey;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Ports;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/**
 * The attack suite of docs/security.md, as shipped: the rabbitmq role's own permission model
 * ({@code ansible/roles/rabbitmq/templates/definitions.json.j2}, rendered by Ansible) applied by the role's own
 * script to a fresh vhost with fresh users, the topology declared by the role's own script, and the packaged
 * edge, cloud-sync and payment-worker jars running under those users with nobody trusted. The legitimate flows
 * pass (a car in and out, charged by the worker; a tariff pushed from the cloud reaches the edge; the worker
 * starts without any configure right); then every attack, with the credentials the deployment hands out, is
 * refused by the broker or dead-lettered with its reason, and PostgreSQL (cloud and worker) and the edge's
 * SQLite are unchanged.
 */
class AttackSuiteTest {
    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<ServiceProcess> services = new ArrayList<>();
    private final List<String> users = new ArrayList<>();
    private final Map<String, String> deadReasons = new ConcurrentHashMap<>();
    private final Map<String, Integer> deadLetterCount = new ConcurrentHashMap<>();
    private final TestHttp http = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(30));
    private Channel admin;
    private long seq = 1_000_000;

    @AfterEach
    void tearDown() {
        services.forEach(ServiceProcess::stop);
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        for (String user : users) {
            try {
                TestBroker.ctl("delete_user", user);
            } catch (IllegalStateException e) {
                System.err.println("cleanup: " + e.getMessage());
            }
        }
        http.close();
    }

    @Test
    void asShippedTheLegitimateFlowsWorkAndEveryAttackIsRefused(@TempDir Path dir) throws Exception {
        Path root = Lot.repositoryRoot();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String lotA = "atkA" + run;
        String lotB = "atkB" + run;
        String edgeA = "edge-" + lotA + "-L0";
        String edgeB = "edge-" + lotB + "-L0";
        String cloudUser = "cloud-sync-" + run;
        String workerUser = "payment-worker-" + run;
        Map<String, String> passwords = new HashMap<>();
        for (String u : List.of(edgeA, edgeB, cloudUser, workerUser)) {
            passwords.put(u, UUID.randomUUID().toString());
        }

        // The broker as the role ships it.
        TestBroker broker = TestBroker.create();
        resources.add(broker);
        users.addAll(passwords.keySet());
        JsonNode definitions = renderDefinitions(root, dir, broker.vhost(), passwords,
                List.of(new String[] {lotA, edgeA}, new String[] {lotB, edgeB}), cloudUser, workerUser);
        JsonNode applied = applyUsers(root, definitions);
        List<String> changed = new ArrayList<>();
        applied.path("changed").forEach(n -> changed.add(n.asText()));
        assertThat(changed, containsInAnyOrder(edgeA, edgeB, cloudUser, workerUser));
        declareTopology(root, broker.vhost(), lotA + ".L0," + lotB + ".L0");

        ConnectionFactory guest = new ConnectionFactory();
        guest.setUri(broker.uri());
        Connection adminConnection = guest.newConnection("attack-suite-observer");
        resources.add(adminConnection::abort);
        admin = adminConnection.createChannel();

        // The three services under their own users, nobody trusted.
        TestDatabase cloudDb = TestDatabase.create();
        resources.add(cloudDb);
        TestDatabase workerDb = TestDatabase.create();
        resources.add(workerDb);
        StripeStub stripe = new StripeStub();
        resources.add(stripe);
        String adminPassword = "attack-admin-" + run;
        int cloudPort = Ports.free();
        ServiceProcess cloud = service("cloud-sync", root, dir, cloudPort, Map.of(
                "DB_URL", cloudDb.url(),
                "AMQP_URI", broker.uri(cloudUser, passwords.get(cloudUser)),
                "AMQP_WORKER_USER", workerUser,
                "AMQP_TRUSTED_USERS", "",
                "AUTH_BOOTSTRAP_ADMIN_PASSWORD", adminPassword));
        int workerPort = Ports.free();
        ServiceProcess worker = service("payment-worker", root, dir, workerPort, Map.of(
                "DB_URL", workerDb.url(),
                "AMQP_URI", broker.uri(workerUser, passwords.get(workerUser)),
                "AMQP_CLOUD_SYNC_USER", cloudUser,
                "AMQP_TRUSTED_USERS", "",
                "STRIPE_MODE", "stripe",
                "STRIPE_API_KEY", "sk_test_attack_suite",
                "STRIPE_API_BASE", stripe.baseUrl()));
        Path config = dir.resolve("edge-A.yaml");
        Files.writeString(config, EDGE_YAML);
        Path edgeDb = dir.resolve("edge-A.db");
        int edgePort = Ports.free();
        ServiceProcess edge = service("edge-controller", root, dir, edgePort, Map.of(
                "PARKING_CONFIG", config.toString(),
                "EDGE_LOT_ID", lotA,
                "EDGE_LEVEL_ID", "L0",
                "EDGE_DB_PATH", edgeDb.toString(),
                "CLOUD_AMQP_URI", broker.uri(edgeA, passwords.get(edgeA)),
                "CLOUD_CLOUD_SYNC_USER", cloudUser,
                "CLOUD_WORKER_USER", workerUser,
                "CLOUD_TRUSTED_USERS", ""));
        for (ServiceProcess p : services) {
            p.start();
        }
        for (ServiceProcess p : services) {
            p.awaitHealthy(START);
        }
        String edgeApi = edge.baseUrl() + "/api/v1";
        String cloudApi = cloud.baseUrl() + "/api/v1";

        // Legitimate: the worker started with no configure right at all, on the role's topology.
        await().atMost(WAIT).until(() -> Files.readString(worker.log()).contains("topology is managed by the broker"));

        // Legitimate: a car in and out, its fee charged through the worker and recorded by the cloud.
        TestHttp.Response in = http.post(edgeApi + "/lanes/in-1/entries", "{\"plate\":\"ATK-1\"}");
        assertThat(in.text(), in.status(), is(201));
        pass(edgeApi, "in-1");
        String sessionId = in.body().path("sessionId").asText();
        // A lost ticket: a fee at once (a stay of seconds costs nothing under the tariff's first period).
        TestHttp.Response out = http.post(edgeApi + "/lanes/out-1/exits",
                "{\"lostTicket\":true,\"plate\":\"ATK-1\",\"paymentMethod\":\"" + StripeStub.GOOD_CARD + "\"}");
        assertThat(out.text(), out.status(), is(200));
        assertThat(out.text(), out.body().path("fee").path("amount").asLong(), greaterThan(0L));
        assertThat(out.text(), out.body().path("payment").path("status").asText(), is("PAID"));
        String paymentId = out.body().path("payment").path("paymentId").asText();
        pass(edgeApi, "out-1");
        assertThat(stripe.charges().succeededKeys().size(), is(1));
        await().atMost(WAIT).until(() -> rows(cloudDb, "SELECT outcome FROM payments WHERE payment_id = '"
                + paymentId + "'").equals("PAID\n") && rows(cloudDb, "SELECT status FROM sessions WHERE session_id = '"
                + sessionId + "'").equals("CLOSED\n"));

        // Legitimate: a tariff pushed from the cloud reaches the edge (cloud-sync declares and writes its queue).
        String token = http.post(cloudApi + "/auth/login", "{\"username\":\"admin\",\"password\":\"" + adminPassword
                + "\"}").body().path("token").asText();
        assertThat(token.isEmpty(), is(false));
        TestHttp.Response pushed = http.put(cloudApi + "/lots/" + lotA + "/tariff", tariffJson(2, 60),
                "Authorization", "Bearer " + token);
        assertThat(pushed.text(), pushed.status() / 100, is(2));
        await().atMost(WAIT).until(() -> http.get(edgeApi + "/admin/tariff").body().path("version").asInt() == 2);

        String cloudBefore = cloudSnapshot(cloudDb);
        String workerBefore = rows(workerDb, "SELECT * FROM payment_results ORDER BY 1");
        String edgeBefore = edgeSnapshot(edgeDb);
        assertThat(workerBefore, containsString(paymentId));

        final Channel asA = as(broker, edgeA, passwords);
        Channel asWorker = as(broker, workerUser, passwords);
        Channel asCloud = as(broker, cloudUser, passwords);

        // Edge A's credential on its own routing keys, claiming lot B or writing what only the worker writes.
        Envelope foreignAvailability = envelope(lotB, availability(99));
        publish(asA, edgeA, "parking.events", eventKey(lotA, foreignAvailability), foreignAvailability);
        Envelope declined = envelope(lotA, new PaymentResult(paymentId, sessionId, PaymentResult.Outcome.DECLINED,
                50, "EUR", null, "card_declined", "forged", false));
        publish(asA, edgeA, "parking.events", eventKey(lotA, declined), declined);
        Envelope refunded = envelope(lotA, new RefundResult("ref-" + run, paymentId, sessionId, "REFUNDED", 50,
                "EUR", "re_forged", null));
        publish(asA, edgeA, "parking.events", eventKey(lotA, refunded), refunded);
        Envelope foreignClose = envelope(lotB, new SessionClosed("sB-" + run, "out-1", Instant.now().minusSeconds(60),
                Instant.now(), 0, "EUR", PaymentStatus.NOT_REQUIRED, null, 1, false));
        publish(asA, edgeA, "parking.events", eventKey(lotA, foreignClose), foreignClose);
        Envelope anonymous = envelope(lotA, availability(1));
        publish(asA, null, "parking.events", eventKey(lotA, anonymous), anonymous);
        Envelope template = envelope(lotA, availability(2));
        byte[] hugeId = new String(MessageCodec.encode(template), StandardCharsets.UTF_8)
                .replace(template.id(), "x".repeat(5_200)).getBytes(StandardCharsets.UTF_8);
        publishRaw(asA, "parking.events", eventKey(lotA, template), props("huge-" + run, edgeA), hugeId);
        // A refund request for the real payment on the exchange edges may write: the worker refuses it.
        Envelope refundRequest = envelope(lotA, new RefundRequested("refA-" + run, paymentId, sessionId,
                "pi_" + paymentId, 50, "EUR", "forged", "edge"));
        publish(asA, edgeA, "parking.payments", "request", refundRequest);

        assertThat(reasonOf(foreignAvailability.id()), startsWith("FOREIGN_EDGE"));
        assertThat(reasonOf(declined.id()), startsWith("WRONG_AUTHOR"));
        assertThat(reasonOf(refunded.id()), startsWith("WRONG_AUTHOR"));
        assertThat(reasonOf(foreignClose.id()), startsWith("FOREIGN_EDGE"));
        assertThat(reasonOf(anonymous.id()), startsWith("MISSING_AUTHOR"));
        assertThat(reasonOf("huge-" + run), startsWith("INVALID_PAYLOAD"));
        assertThat(reasonOf(refundRequest.id()), startsWith("WRONG_AUTHOR"));

        // What the broker refuses edge A itself.
        Envelope otherKey = envelope(lotB, availability(98));
        assertThat(refusal(asA, () -> publish(asA, edgeA, "parking.events", eventKey(lotB, otherKey), otherKey)),
                containsString("ACCESS_REFUSED"));
        Envelope impostor = envelope(lotA, availability(3));
        Channel a1 = as(broker, edgeA, passwords);
        assertThat(refusal(a1, () -> publish(a1, workerUser, "parking.events", eventKey(lotA, impostor), impostor)),
                containsString("PRECONDITION_FAILED"));
        Channel a2 = as(broker, edgeA, passwords);
        assertThat(refusal(a2, () -> publish(a2, edgeA, "parking.refunds", "refund", refundRequest)),
                containsString("ACCESS_REFUSED"));
        Channel a3 = as(broker, edgeA, passwords);
        Envelope resultToB = envelope(lotB, new PaymentResult("payB-" + run, "sB-" + run, PaymentResult.Outcome.PAID,
                50, "EUR", "pi_x", null, null, false));
        assertThat(refusal(a3, () -> publish(a3, edgeA, "parking.edge", lotB + ".L0", resultToB)),
                containsString("ACCESS_REFUSED"));
        Channel a4 = as(broker, edgeA, passwords);
        assertThat(refusal(a4, () -> a4.basicGet("edge." + lotB + ".L0", false)), containsString("ACCESS_REFUSED"));

        // The worker's credential (the Internet-facing service) pushing commands to an edge. On parking.edge, the
        // commands' exchange, the broker refuses it: the worker writes only its own results exchange.
        Envelope key = envelope(lotA, new TrustOperatorKey("{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"evil\","
                + "\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\",\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\"}"));
        Channel w0 = as(broker, workerUser, passwords);
        assertThat(refusal(w0, () -> publish(w0, workerUser, "parking.edge", lotA + ".L0", key)),
                containsString("ACCESS_REFUSED"));
        Envelope open = envelope(lotA, new OpenBarrier("in-1", "forged", "worker"));
        Channel w00 = as(broker, workerUser, passwords);
        assertThat(refusal(w00, () -> publish(w00, workerUser, "parking.edge", lotA + ".L0", open)),
                containsString("ACCESS_REFUSED"));
        // Through its own exchange (which routes to the edge queues, as its results must) a command still reaches
        // the edge's queue, and the edge dead-letters it: commands are taken only from cloud-sync's user.
        Envelope keyViaResults = envelope(lotA, key.payload());
        publish(asWorker, workerUser, "parking.results", lotA + ".L0", keyViaResults);
        Envelope openViaResults = envelope(lotA, open.payload());
        publish(asWorker, workerUser, "parking.results", lotA + ".L0", openViaResults);
        assertThat(reasonOf(keyViaResults.id()), startsWith("WRONG_AUTHOR"));
        assertThat(reasonOf(openViaResults.id()), startsWith("WRONG_AUTHOR"));
        // Nobody else may write the results exchange: not an edge, not cloud-sync.
        Channel a5 = as(broker, edgeA, passwords);
        assertThat(refusal(a5, () -> publish(a5, edgeA, "parking.results", lotA + ".L0", resultToB)),
                containsString("ACCESS_REFUSED"));
        Channel c0 = as(broker, cloudUser, passwords);
        assertThat(refusal(c0, () -> publish(c0, cloudUser, "parking.results", lotA + ".L0", resultToB)),
                containsString("ACCESS_REFUSED"));
        Envelope workerEvent = envelope(lotA, availability(97));
        assertThat(refusal(asWorker, () -> publish(asWorker, workerUser, "parking.events", eventKey(lotA, workerEvent),
                workerEvent)), containsString("ACCESS_REFUSED"));
        Channel w1 = as(broker, workerUser, passwords);
        assertThat(refusal(w1, () -> publish(w1, workerUser, "parking.refunds", "refund", refundRequest)),
                containsString("ACCESS_REFUSED"));
        Channel w2 = as(broker, workerUser, passwords);
        assertThat(refusal(w2, () -> w2.queueDelete("edge." + lotA + ".L0")), containsString("ACCESS_REFUSED"));
        Channel w3 = as(broker, workerUser, passwords);
        assertThat(refusal(w3, () -> w3.queueDeclare("payments.spy", true, false, false, null)),
                containsString("ACCESS_REFUSED"));

        // cloud-sync's credential sending a payment result to an edge, and non-JSON poison on an edge queue.
        Envelope cloudResult = envelope(lotA, new PaymentResult(paymentId, sessionId, PaymentResult.Outcome.DECLINED,
                50, "EUR", null, "card_declined", "forged", false));
        publish(asCloud, cloudUser, "parking.edge", lotA + ".L0", cloudResult);
        publishRaw(asCloud, "parking.edge", lotA + ".L0", props("poison-" + run, cloudUser),
                "<html>not json".getBytes(StandardCharsets.UTF_8));
        assertThat(reasonOf(cloudResult.id()), startsWith("WRONG_AUTHOR"));
        assertThat(reasonOf("poison-" + run), notNullValue());
        Channel c1 = as(broker, cloudUser, passwords);
        Envelope cloudEvent = envelope(lotA, availability(96));
        assertThat(refusal(c1, () -> publish(c1, cloudUser, "parking.events", eventKey(lotA, cloudEvent), cloudEvent)),
                containsString("ACCESS_REFUSED"));
        Channel c2 = as(broker, cloudUser, passwords);
        assertThat(refusal(c2, () -> c2.basicGet("payments.requests", false)), containsString("ACCESS_REFUSED"));

        // Nothing changed anywhere; the poison was dead-lettered once, not looped; the barrier never moved.
        assertThat(cloudSnapshot(cloudDb), is(cloudBefore));
        assertThat(rows(workerDb, "SELECT * FROM payment_results ORDER BY 1"), is(workerBefore));
        assertThat(edgeSnapshot(edgeDb), is(edgeBefore));
        assertThat(stripe.charges().posts(), is(1L));
        drainDeadLetters();
        assertThat(admin.messageCount("parking.dead"), is(0L));
        assertThat(deadLetterCount.getOrDefault("poison-" + run, 0), is(1));
        for (JsonNode lane : http.get(edgeApi + "/lanes").body()) {
            assertThat(lane.toString(), lane.path("barrier").asText(), is("CLOSED"));
        }

        // And everything still runs: edge A's own event is applied, and another tariff reaches the edge.
        Envelope own = envelope(lotA, availability(0));
        publish(as(broker, edgeA, passwords), edgeA, "parking.events", eventKey(lotA, own), own);
        await().atMost(WAIT).until(() -> rows(cloudDb, "SELECT version FROM levels WHERE lot_id = '" + lotA + "'")
                .contains(String.valueOf(seq)));
        TestHttp.Response again = http.put(cloudApi + "/lots/" + lotA + "/tariff", tariffJson(3, 70),
                "Authorization", "Bearer " + token);
        assertThat(again.text(), again.status() / 100, is(2));
        await().atMost(WAIT).until(() -> http.get(edgeApi + "/admin/tariff").body().path("version").asInt() == 3);
        for (ServiceProcess p : services) {
            assertThat(p.name() + " still healthy", p.healthy(), is(true));
        }
    }

    private static final String EDGE_YAML = """
            # The attack suite's level: simulated hardware (development, so cars can be driven through the
            # simulator API); what is under test is the broker side, which runs on the role's users.
            hardware:
              mode: simulated
              debounce: PT0.01S
              barrier-travel: PT0.02S
            occupancy:
              mode: counting
            capacity:
              STANDARD: 10
            payments:
              floor-limit: 0
              wait: PT20S
            cloud:
              backoff-initial: PT0.2S
              backoff-max: PT2S
            tariff:
              version: 1
              currency: EUR
              grace-minutes: 0
              period-minutes: 1
              price-per-period: 50
              daily-cap: 1200
              lost-ticket-fee: 5000
            lanes:
              - { id: "in-1", direction: ENTRY, raise-pin: 100, open-limit-pin: 101, closed-limit-pin: 102, fault-pin: 103, arming-loop-pin: 104, safety-loop-pin: 105 }
              - { id: "out-1", direction: EXIT, raise-pin: 106, open-limit-pin: 107, closed-limit-pin: 108, fault-pin: 109, arming-loop-pin: 110, safety-loop-pin: 111 }
            """;

    private ServiceProcess service(String module, Path root, Path dir, int port, Map<String, String> env) {
        Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        Map<String, String> all = new HashMap<>(env);
        all.put("SERVER_PORT", String.valueOf(port));
        ServiceProcess p = new ServiceProcess(module, jar, all, port, dir.resolve(module + ".log"));
        services.add(p);
        return p;
    }

    /** The role's template, rendered by Ansible itself with this run's vhost, users and passwords. */
    private static JsonNode renderDefinitions(Path root, Path dir, String vhost, Map<String, String> passwords,
                                              List<String[]> edges, String cloudUser, String workerUser)
            throws Exception {
        ObjectNode vars = JSON.createObjectNode();
        vars.put("rabbitmq_vhost", vhost);
        vars.put("rabbitmq_edge_may_declare", false);
        vars.put("rabbitmq_cloud_sync_user", cloudUser);
        vars.put("rabbitmq_cloud_sync_password", passwords.get(cloudUser));
        vars.put("rabbitmq_worker_user", workerUser);
        vars.put("rabbitmq_worker_password", passwords.get(workerUser));
        for (String[] e : edges) {
            vars.withArray("rabbitmq_edge_users").addObject().put("lot", e[0]).put("level", "L0").put("name", e[1])
                    .put("password", passwords.get(e[1]));
        }
        Path varsFile = dir.resolve("vars.json");
        Files.writeString(varsFile, vars.toString());
        Path rendered = dir.resolve("definitions.json");
        run(dir, null, "ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", "ansible.builtin.template",
                "-a", "src=" + root.resolve("ansible/roles/rabbitmq/templates/definitions.json.j2") + " dest=" + rendered,
                "-e", "@" + varsFile);
        return JSON.readTree(rendered.toFile());
    }

    /** The role's own user script, fed the rendered definitions as the role feeds it. */
    private static JsonNode applyUsers(Path root, JsonNode definitions) throws Exception {
        ObjectNode spec = JSON.createObjectNode();
        spec.putArray("rabbitmqctl").add(System.getenv().getOrDefault("RABBITMQCTL", "rabbitmqctl"));
        spec.set("definitions", definitions);
        return JSON.readTree(run(root, spec.toString(), "/usr/bin/python3",
                root.resolve("ansible/roles/rabbitmq/files/apply_users.py").toString()));
    }

    /** The role's own topology script (as the vhost's administrator, guest here). */
    private static void declareTopology(Path root, String vhost, String edgeIds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3",
                root.resolve("ansible/roles/rabbitmq/files/declare_topology.py").toString());
        pb.environment().putAll(Map.of("AMQP_HOST", TestBroker.HOST, "AMQP_PORT", String.valueOf(TestBroker.PORT),
                "AMQP_VHOST", vhost, "AMQP_USER", "guest", "AMQP_PASSWORD", "guest", "EDGE_IDS", edgeIds));
        finish(pb, null, "declare_topology.py");
    }

    private static String run(Path cwd, String stdin, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        return finish(pb, stdin, String.join(" ", command));
    }

    private static String finish(ProcessBuilder pb, String stdin, String what) throws Exception {
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(what + " failed: " + out);
        }
        return out;
    }

    private Channel as(TestBroker broker, String user, Map<String, String> passwords) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri(user, passwords.get(user)));
        Connection c = f.newConnection("attack-" + user);
        resources.add(c::abort);
        Channel ch = c.createChannel();
        ch.confirmSelect();
        return ch;
    }

    private Envelope envelope(String lot, Message payload) {
        return Envelope.of(Envelope.edgeId(lot, "L0"), lot, "L0", ++seq, Instant.now(), payload);
    }

    private AvailabilityChanged availability(int occupied) {
        return new AvailabilityChanged(100, occupied, 100 - occupied,
                Map.of(VehicleType.STANDARD, new AvailabilityChanged.TypeCount(100, 100 - occupied)), "OPEN", seq + 1,
                Instant.now());
    }

    private static String eventKey(String lot, Envelope e) {
        return "edge." + lot + ".L0." + e.type();
    }

    private static String tariffJson(int version, long price) {
        return "{\"version\":" + version + ",\"currency\":\"EUR\",\"graceMinutes\":0,\"periodMinutes\":1,"
                + "\"pricePerPeriod\":" + price + ",\"dailyCap\":1200,\"lostTicketFee\":5000}";
    }

    /** The properties the services' publisher sets, with {@code userId} as the AMQP user_id (null: none). */
    private static AMQP.BasicProperties props(Envelope e, String userId) {
        return new AMQP.BasicProperties.Builder().messageId(e.id()).type(e.type()).contentType("application/json")
                .deliveryMode(2).timestamp(Date.from(e.occurredAt())).userId(userId)
                .headers(Map.of("edge-id", e.edgeId(), "seq", e.seq(), "schema-version", e.schemaVersion())).build();
    }

    private static AMQP.BasicProperties props(String messageId, String userId) {
        return new AMQP.BasicProperties.Builder().messageId(messageId).contentType("application/json")
                .deliveryMode(2).userId(userId).build();
    }

    private static void publish(Channel ch, String userId, String exchange, String key, Envelope e) throws Exception {
        publishRaw(ch, exchange, key, props(e, userId), MessageCodec.encode(e));
    }

    private static void publishRaw(Channel ch, String exchange, String key, AMQP.BasicProperties props, byte[] body)
            throws Exception {
        ch.basicPublish(exchange, key, props, body);
        ch.waitForConfirmsOrDie(10_000);
    }

    private interface Attempt {
        void run() throws Exception;
    }

    /** Runs {@code attempt}, which the broker must refuse by closing the channel; returns the close reason. */
    private static String refusal(Channel ch, Attempt attempt) {
        try {
            attempt.run();
        } catch (Exception expected) {
            // the broker's refusal shows as an exception of the call or of the confirm wait
        }
        await("the broker refusing it (closing the channel)").atMost(WAIT).until(() -> !ch.isOpen());
        return ch.getCloseReason().getMessage();
    }

    private void drainDeadLetters() throws IOException {
        GetResponse r;
        while ((r = admin.basicGet("parking.dead", true)) != null) {
            String id = r.getProps().getMessageId();
            Object reason = r.getProps().getHeaders() == null ? null
                    : r.getProps().getHeaders().get("x-dead-reason");
            deadReasons.put(id, String.valueOf(reason));
            deadLetterCount.merge(id, 1, Integer::sum);
        }
    }

    private String reasonOf(String messageId) {
        return await().atMost(WAIT).until(() -> {
            drainDeadLetters();
            return deadReasons.get(messageId);
        }, r -> r != null);
    }

    /** Drives a car through {@code lane}: the safety loop covered, then cleared, as in the simulator's traffic. */
    private void pass(String edgeApi, String lane) {
        String loop = edgeApi + "/simulator/lanes/" + lane + "/safety";
        await().atMost(WAIT).until(() -> phase(edgeApi, lane).equals("GATE_OPEN"));
        http.post(loop, "{\"present\":true}");
        await().atMost(WAIT).until(() -> phase(edgeApi, lane).equals("VEHICLE_PASSING"));
        http.post(loop, "{\"present\":false}");
        await().atMost(WAIT).until(() -> {
            String phase = phase(edgeApi, lane);
            return !phase.equals("VEHICLE_PASSING") && !phase.equals("GATE_OPEN");
        });
    }

    private String phase(String edgeApi, String lane) {
        for (JsonNode l : http.get(edgeApi + "/lanes").body()) {
            if (lane.equals(l.path("laneId").asText())) {
                return l.path("phase").asText();
            }
        }
        return "";
    }

    private static String cloudSnapshot(TestDatabase db) throws Exception {
        return rows(db, "SELECT lot_id, level_id, occupied, version FROM levels ORDER BY 1, 2")
                + rows(db, "SELECT session_id, lot_id, status FROM sessions ORDER BY 1")
                + rows(db, "SELECT payment_id, lot_id, outcome FROM payments ORDER BY 1")
                + rows(db, "SELECT refund_id, status FROM refunds ORDER BY 1")
                + rows(db, "SELECT count(*) FROM unable_to_collect")
                + rows(db, "SELECT count(*) FROM commands");
    }

    private static String rows(TestDatabase db, String sql) throws Exception {
        try (java.sql.Connection c = db.connect()) {
            return rows(c, sql);
        }
    }

    private static String edgeSnapshot(Path sqlite) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite)) {
            StringBuilder out = new StringBuilder();
            for (String table : List.of("sessions", "payments", "operator_keys", "tariffs", "inbox", "lanes", "level_state",
                    "allow_list")) {
                out.append(table).append(":\n").append(rows(c, "SELECT * FROM " + table + " ORDER BY 1"));
            }
            return out.toString();
        }
    }

    private static String rows(java.sql.Connection c, String sql) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    out.append(rs.getString(i)).append(i == n ? "\n" : " ");
                }
            }
        }
        return out.toString();
    }
}
