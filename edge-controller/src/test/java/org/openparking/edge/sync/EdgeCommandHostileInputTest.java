package org.openparking.edge.sync;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.openparking.edge.EdgeApplication;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.CloseSessionElsewhere;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.OpenBarrier;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.SetLevelStatus;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.TrustOperatorKey;
import org.openparking.protocol.UpdateAllowList;
import org.openparking.protocol.UpdateTariff;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.HostileMessages;
import org.openparking.testing.HostileMessages.Hostile;
import org.openparking.testing.ServiceLogLines;
import org.openparking.testing.TestBroker;

/**
 * Hostile input at the edge's AMQP door, its queue {@code edge.{edgeId}} (commands from cloud-sync, payment
 * results from the workers), published as cloud-sync does: generated malformed, wrongly typed, oversized
 * and wrongly encoded bodies ({@link HostileMessages}, made from every command type and a payment result)
 * and wrongly addressed ones (another edge, no author, an event type, an unknown type, a newer schema).
 * Every one must be dead-lettered to {@code parking.dead} with an {@code x-dead-reason}, leave every table
 * of the level's SQLite file exactly as it was, keep the edge consuming its queue, and log at most a
 * couple of lines. Stale commands (a tariff older than the applied one) are not generated: they are
 * acknowledged with a {@code command.applied} event saying so, a change of state by design
 * ({@code StaleCommandTest}).
 */
class EdgeCommandHostileInputTest {
    private static final List<String> TABLES = List.of("sessions", "payments", "outbox", "inbox", "lanes",
            "level_state", "tariffs", "allow_list", "operator_keys", "spots", "type_counts", "drift",
            "count_adjustments", "ramps");
    private static TestBroker broker;
    private static Connection connection;
    private static Channel ch;
    private static Path dir;
    private static EdgeApplication edge;
    private static String lot;
    private static String edgeId;
    private static ServiceLogLines logLines;
    private static String snapshot;
    private static final Map<String, String> deadReasons = new ConcurrentHashMap<>();

    @BeforeContainer
    static void start() throws Exception {
        broker = TestBroker.create();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        connection = f.newConnection("hostile-cloud");
        ch = connection.createChannel();
        ch.confirmSelect();
        lot = CloudEdges.uniqueLot();
        edgeId = Envelope.edgeId(lot, CloudEdges.LEVEL);
        Topology.declareEdgeQueue(ch, edgeId);
        // cloud-sync's and the workers' queues, so what the edge relays is routed and its outbox settles.
        Topology.declareCloudSync(ch);
        Topology.declarePayments(ch);
        dir = Files.createTempDirectory("edge-hostile");
        edge = CloudEdges.start(dir, broker.uri(), Map.of("EDGE_LOT_ID", lot), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(() -> ch.queueDeclarePassive(Topology.edgeQueue(edgeId))
                .getConsumerCount() >= 1);
        logLines = ServiceLogLines.install();
        // Start-up writes (the first availability events relayed, barrier state) settle first: the baseline is
        // the state once two snapshots further apart than the deferred writes agree.
        String[] last = {snapshot()};
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(1500))
                .until(() -> {
                    String now = snapshot();
                    boolean settled = now.equals(last[0]);
                    last[0] = now;
                    return settled;
                });
        snapshot = last[0];
    }

    @AfterContainer
    static void stop() throws Exception {
        logLines.close();
        edge.close();
        connection.abort();
        broker.close();
    }

    /** A hostile body and the broker user it is published as (null: no {@code user_id}). */
    record Input(Hostile hostile, String userId) {
        @Override
        public String toString() {
            return hostile + (userId == null ? " (no user_id)" : "");
        }
    }

    @Property(tries = 500)
    void everyHostileCommandIsDeadLetteredWithAReasonAndChangesNothing(@ForAll("hostile") Input in) throws Exception {
        int logBefore = logLines.count();
        String id = "hostile-" + UUID.randomUUID();
        ch.basicPublish(Topology.EDGE_EXCHANGE, edgeId, new AMQP.BasicProperties.Builder().messageId(id)
                .userId(in.userId()).deliveryMode(2).contentType("application/json").build(), in.hostile().body());
        ch.waitForConfirmsOrDie(5_000);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (GetResponse r; (r = ch.basicGet(Topology.DEAD_QUEUE, true)) != null; ) {
                Object reason = r.getProps().getHeaders() == null ? null
                        : r.getProps().getHeaders().get(Topology.DEAD_REASON_HEADER);
                deadReasons.put(String.valueOf(r.getProps().getMessageId()), String.valueOf(reason));
            }
            return deadReasons.containsKey(id);
        });
        String reason = deadReasons.remove(id);
        assertThat(in + ": an x-dead-reason header, was " + reason, reason.isBlank() || reason.equals("null"), is(false));
        assertThat(in + ": stored state unchanged", snapshot(), is(snapshot));
        assertThat(in + ": still consuming", ch.queueDeclarePassive(Topology.edgeQueue(edgeId)).getConsumerCount(),
                greaterThanOrEqualTo(1));
        assertThat(in + ": still serving", CloudEdges.get(edge, "/availability").isEmpty(), is(false));
        assertThat(in + ": log lines for one message", logLines.count() - logBefore, lessThanOrEqualTo(2));
    }

    @Provide
    Arbitrary<Input> hostile() {
        List<String> valid = List.of(
                valid(new UpdateTariff(new Tariff(9, "EUR", 10, 30, 250, 2000, 4000))),
                valid(new SetLevelStatus(true, "cleaning", "bob")),
                valid(new OpenBarrier("out-1", "stuck car", "bob")),
                valid(new UpdateAllowList(7, List.of("STAFF1", "STAFF2"))),
                valid(new TrustOperatorKey("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}")),
                valid(new CloseSessionElsewhere("s-nobody", Instant.parse("2026-11-25T11:00:00Z"), lot + ".L2", "L2")),
                valid(new PaymentResult("p-nobody", "s-nobody", PaymentResult.Outcome.PAID, 250, "EUR", "pi_1", null,
                        null, false)));
        Arbitrary<Input> generic = HostileMessages.from(valid).map(h -> new Input(h, "guest"));
        return Arbitraries.oneOf(generic, generic, generic, misaddressed(valid));
    }

    /** Well-formed, but not for this edge from this sender. */
    private Arbitrary<Input> misaddressed(List<String> valid) {
        Arbitrary<Input> foreign = Arbitraries.of(valid).map(v -> new Input(new Hostile("another edge's",
                bytes(v.replace("\"edgeId\":\"" + edgeId + "\"", "\"edgeId\":\"" + lot + ".L9\""))), "guest"));
        Arbitrary<Input> anonymous = Arbitraries.of(valid).map(v -> new Input(new Hostile("no author", bytes(v)), null));
        Arbitrary<Input> event = Arbitraries.of(VehicleType.values()).map(t -> new Input(new Hostile("an event type",
                MessageCodec.encode(envelope(new SessionOpened("s-x", "in-1", "AB123", t, Instant.now(), 1)))), "guest"));
        Arbitrary<Input> unknownType = Arbitraries.of(valid).map(v -> new Input(new Hostile("unknown type",
                bytes(v.replaceFirst("\"type\":\"[^\"]+\"", "\"type\":\"command.teleport-car\""))), "guest"));
        Arbitrary<Input> newerSchema = Arbitraries.integers().between(2, 1_000).flatMap(n -> Arbitraries.of(valid)
                .map(v -> new Input(new Hostile("schema " + n, bytes(v.replace("\"schemaVersion\":1",
                        "\"schemaVersion\":" + n))), "guest")));
        return Arbitraries.oneOf(foreign, anonymous, event, unknownType, newerSchema);
    }

    private static Envelope envelope(Message m) {
        return Envelope.of(edgeId, lot, CloudEdges.LEVEL, 1, Instant.now(), m);
    }

    private static String valid(Message m) {
        return MessageCodec.encodeToString(envelope(m));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every table of the level's file, serialised: any change to any row shows. */
    private static String snapshot() {
        return edge.database().read(c -> {
            StringBuilder s = new StringBuilder();
            try (Statement st = c.createStatement()) {
                for (String table : TABLES) {
                    try (ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY 1")) {
                        int n = rs.getMetaData().getColumnCount();
                        s.append(table).append(':');
                        while (rs.next()) {
                            for (int i = 1; i <= n; i++) {
                                s.append(rs.getString(i)).append('|');
                            }
                            s.append(';');
                        }
                    }
                }
            }
            return s.toString();
        });
    }
}
