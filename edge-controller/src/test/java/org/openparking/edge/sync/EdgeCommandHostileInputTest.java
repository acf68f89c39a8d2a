package org.openparking.edge.sync;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
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
import org.openparking.testing.DeadLetterWatch;
import org.openparking.testing.HostileMessages;
import org.openparking.testing.HostileMessages.Authored;
import org.openparking.testing.HostileMessages.Hostile;
import org.openparking.testing.HostileRig;
import org.openparking.testing.TestBroker;

/**
 * Hostile input at the edge's AMQP door, its queue {@code edge.{edgeId}} (commands from cloud-sync, payment
 * results from the workers), published as cloud-sync does: generated malformed, wrongly typed, oversized
 * and wrongly encoded bodies ({@link HostileMessages}, made from every command type and a payment result)
 * and wrongly addressed ones (another edge, no author, an event type, an unknown type, a newer schema).
 * Every one must be dead-lettered to {@code parking.dead} with an {@code x-dead-reason}, leave every table
 * of the level's SQLite file exactly as it was, keep the edge consuming its queue, and log exactly one
 * line, which names the message and the reason. Stale commands (a tariff older than the applied one) are not generated: they are
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
    private static DeadLetterWatch dead;
    private static HostileRig rig;

    @BeforeContainer
    static void start() throws Exception {
        broker = TestBroker.create();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        connection = f.newConnection("hostile-cloud");
        ch = connection.createChannel();
        dead = new DeadLetterWatch(ch, Topology.DEAD_QUEUE, Topology.DEAD_REASON_HEADER);
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
        // Start-up writes (the first availability events relayed, barrier state) settle first.
        rig = HostileRig.startSettled(EdgeCommandHostileInputTest::snapshot);
    }

    @AfterContainer
    static void stop() throws Exception {
        rig.close();
        edge.close();
        connection.abort();
        broker.close();
    }

    @Property(tries = 500)
    void everyHostileCommandIsDeadLetteredWithAReasonAndChangesNothing(@ForAll("hostile") Authored in) throws Exception {
        HostileRig.Step step = rig.step(in);
        DeadLetterWatch.DeadLetter d = dead.publishAndAwait(Topology.EDGE_EXCHANGE, edgeId, in.userId(),
                in.hostile().body(), in);
        step.assertUnchanged();
        step.assertAlive("still consuming", ch.queueDeclarePassive(Topology.edgeQueue(edgeId)).getConsumerCount() >= 1);
        step.assertAlive("still serving", !CloudEdges.get(edge, "/availability").isEmpty());
        step.assertOneLogLineNaming(d.messageId(), d.reason());
    }

    @Provide
    Arbitrary<Authored> hostile() {
        List<String> valid = List.of(
                valid(new UpdateTariff(new Tariff(9, "EUR", 10, 30, 250, 2000, 4000))),
                valid(new SetLevelStatus(true, "cleaning", "bob")),
                valid(new OpenBarrier("out-1", "stuck car", "bob")),
                valid(new UpdateAllowList(7, List.of("STAFF1", "STAFF2"))),
                valid(new TrustOperatorKey("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}")),
                valid(new CloseSessionElsewhere("s-nobody", Instant.parse("2026-11-25T11:00:00Z"), lot + ".L2", "L2")),
                valid(new PaymentResult("p-nobody", "s-nobody", PaymentResult.Outcome.PAID, 250, "EUR", "pi_1", null,
                        null, false)));
        Arbitrary<Authored> generic = HostileMessages.from(valid).map(h -> new Authored(h, "guest"));
        return Arbitraries.frequencyOf(Tuple.of(3, generic), Tuple.of(1, misaddressed(valid)));
    }

    /** Well-formed, but not for this edge from this sender. */
    private Arbitrary<Authored> misaddressed(List<String> valid) {
        Arbitrary<Authored> foreign = Arbitraries.of(valid).map(v -> new Authored(new Hostile("another edge's",
                bytes(v.replace("\"edgeId\":\"" + edgeId + "\"", "\"edgeId\":\"" + lot + ".L9\""))), "guest"));
        Arbitrary<Authored> event = Arbitraries.of(VehicleType.values()).map(t -> new Authored(new Hostile(
                "an event type", MessageCodec.encode(envelope(new SessionOpened("s-x", "in-1", "AB123", t, Instant.now(),
                        1)))), "guest"));
        return Arbitraries.frequencyOf(Tuple.of(1, foreign), Tuple.of(1, event),
                Tuple.of(3, HostileMessages.misaddressed(valid, "command.teleport-car", "guest")));
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
        return edge.database().read(c -> HostileRig.tables(c, TABLES));
    }
}
