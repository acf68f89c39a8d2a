package org.openparking.cloud.ingest;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.cloud.Main;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Authors;
import org.openparking.cloud.CloudSettings;
import org.openparking.platform.amqp.BrokerSettings;
import org.openparking.platform.amqp.ConfirmingPublisher;
import org.openparking.platform.amqp.Topology;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.RefundResult;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * A stolen edge credential against cloud-sync's ingest, with real broker users shaped like the rabbitmq
 * role's ({@code edge-{lot}-{level}} limited to its own routing keys, cloud-sync and worker users, nobody
 * trusted): every forged message is dead-lettered with its reason and PostgreSQL does not change, while
 * the legitimate flows of the same users are applied.
 */
class BrokerIdentityAttackTest {
    private TestBroker broker;
    private TestDatabase database;
    private PooledDataSource dataSource;
    private EventConsumer consumer;
    private ConfirmingPublisher publisher;
    private Connection guest;
    private Channel admin;
    private final Map<String, String> deadReasons = new ConcurrentHashMap<>();
    private String lotA;
    private String lotB;
    private String edgeA;
    private String edgeB;
    private String workerUser;

    @BeforeEach
    void setUp() throws Exception {
        broker = TestBroker.create();
        String run = UUID.randomUUID().toString().substring(0, 8);
        lotA = "A" + run;
        lotB = "B" + run;
        edgeA = Authors.edgeUser(lotA, "L0");
        edgeB = Authors.edgeUser(lotB, "L0");
        workerUser = "payment-worker-" + run;
        String cloudUser = "cloud-sync-" + run;
        for (String lot : new String[] {lotA, lotB}) {
            String queue = "edge\\." + lot + "\\.L0";
            broker.addUser(Authors.edgeUser(lot, "L0"), "pw", "^" + queue + "$",
                    "^(parking\\.events|parking\\.payments|parking\\.dlx)$", "^" + queue + "$");
            broker.setTopicPermissions(Authors.edgeUser(lot, "L0"), Topology.EVENTS_EXCHANGE, "^" + queue + "\\.",
                    "^$");
        }
        String services = "^(parking\\..*|cloud-sync\\..*|payments\\..*)$";
        broker.addUser(cloudUser, "pw", services, services, services);
        broker.addUser(workerUser, "pw", "^$", "^(parking\\.events|parking\\.edge|parking\\.dlx)$",
                "^payments\\.requests$");

        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        guest = f.newConnection("attack-admin");
        admin = guest.createChannel();
        Topology.declareCloudSync(admin);

        database = TestDatabase.create();
        dataSource = PooledDataSource.postgres(CloudSettings.defaults().db().with(database.url(), 4), "cloud-sync");
        dataSource.migrate(Main.MIGRATIONS);
        BrokerSettings asCloudSync = CloudSettings.defaults().broker().withUri(broker.uri(cloudUser, "pw"))
                .withAuthors(new Authors(cloudUser, workerUser, Set.of()));
        publisher = ConfirmingPublisher.lazy(asCloudSync, "attack-publisher", Duration.ofSeconds(10));
        consumer = new EventConsumer(asCloudSync, new EventApplier(dataSource, Clock.systemUTC(),
                new OutgoingMessages(dataSource, publisher, Clock.systemUTC())),
                new ConsumerSettings(10, 1, 10, Duration.ofMillis(200)), new IngestStats(), AfterCommitHook.NONE);
        consumer.start();
        await().atMost(Duration.ofSeconds(20)).until(consumer::isConnected);
    }

    @AfterEach
    void tearDown() {
        consumer.close();
        publisher.close();
        guest.abort();
        dataSource.close();
        database.close();
        broker.close();
    }

    /** A channel authenticated as {@code user}. */
    private Channel as(String user) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri(user, "pw"));
        Channel ch = f.newConnection("attack-" + user).createChannel();
        ch.confirmSelect();
        return ch;
    }

    /** Publishes with the routing key an edge of the envelope's lot would use, as {@code user}. */
    private static void publish(Channel ch, String user, String routingKey, Envelope e) throws Exception {
        ch.basicPublish(Topology.EVENTS_EXCHANGE, routingKey,
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), user), MessageCodec.encode(e));
        ch.waitForConfirmsOrDie(5_000);
    }

    private static String key(String lot, Envelope e) {
        return Topology.edgeEventKey(lot, "L0", e.type());
    }

    private String reasonOf(String messageId) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            GetResponse r;
            while ((r = admin.basicGet(Topology.DEAD_QUEUE, true)) != null) {
                deadReasons.put(r.getProps().getMessageId(),
                        String.valueOf(r.getProps().getHeaders().get(Topology.DEAD_REASON_HEADER)));
            }
            return deadReasons.get(messageId);
        }, r -> r != null);
    }

    private String snapshot() throws Exception {
        StringBuilder out = new StringBuilder();
        try (java.sql.Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String sql : new String[] {
                    "SELECT lot_id, level_id, occupied, version FROM levels ORDER BY 1, 2",
                    "SELECT session_id, lot_id, status FROM sessions ORDER BY 1",
                    "SELECT payment_id, lot_id, outcome FROM payments ORDER BY 1",
                    "SELECT refund_id, status FROM refunds ORDER BY 1",
                    "SELECT count(*) FROM unable_to_collect",
                    "SELECT count(*) FROM commands",
                    "SELECT count(*) FROM inbox"}) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            out.append(rs.getString(i)).append(i == n ? "\n" : " ");
                        }
                    }
                }
            }
        }
        return out.toString();
    }

    @Test
    void aStolenEdgeCredentialSpeaksOnlyForItsOwnLevel() throws Exception {
        Events a = new Events(lotA, "L0");
        Events b = new Events(lotB, "L0");
        Channel asA = as(edgeA);
        Channel asB = as(edgeB);
        Channel asWorker = as(workerUser);

        // The legitimate flows: each edge reports its own level; the worker settles B's payment.
        Envelope availabilityA = a.next(Events.availability(10, 1));
        publish(asA, edgeA, key(lotA, availabilityA), availabilityA);
        Envelope openedB = b.next(Events.opened("sB-" + lotB, "B-1"));
        publish(asB, edgeB, key(lotB, openedB), openedB);
        Envelope availabilityB = b.next(Events.availability(20, 1));
        publish(asB, edgeB, key(lotB, availabilityB), availabilityB);
        Envelope paidB = b.fromWorker(Events.paymentResult("payB-" + lotB, "sB-" + lotB, 500,
                PaymentResult.Outcome.PAID, false));
        publish(asWorker, workerUser, Topology.paymentEventKey(lotB, "L0", paidB.type()), paidB);
        await().atMost(Duration.ofSeconds(20)).until(() -> snapshot().contains("payB-" + lotB + " " + lotB + " PAID")
                && snapshot().contains(lotB + " L0 20 1") && snapshot().contains(lotA + " L0 10 1"));
        try (java.sql.Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO refunds (refund_id, payment_id, session_id, amount, currency, reason,"
                    + " requested_by, status) VALUES ('refB-" + lotB + "', 'payB-" + lotB + "', 'sB-" + lotB
                    + "', 500, 'EUR', 'test', 'op', 'REQUESTED')");
        }
        String before = snapshot();

        // Edge A's credential, on the routing keys its topic permission allows, claiming lot B.
        Envelope availability = b.next(Events.availability(99, 50));
        publish(asA, edgeA, key(lotA, availability), availability);
        Envelope declined = b.fromWorker(Events.paymentResult("payB-" + lotB, "sB-" + lotB, 500,
                PaymentResult.Outcome.DECLINED, false));
        publish(asA, edgeA, key(lotA, declined), declined);
        Envelope refunded = b.fromWorker(new RefundResult("refB-" + lotB, "payB-" + lotB, "sB-" + lotB, "REFUNDED",
                500, "EUR", "re_x", null));
        publish(asA, edgeA, key(lotA, refunded), refunded);
        Envelope closed = b.next(Events.closed("sB-" + lotB, 0, PaymentStatus.NOT_REQUIRED, null));
        publish(asA, edgeA, key(lotA, closed), closed);
        // A payment result for its own lot is still not the edge's to write.
        Envelope ownResult = a.fromWorker(Events.paymentResult("payA-" + lotA, "sA", 500, PaymentResult.Outcome.PAID,
                false));
        publish(asA, edgeA, key(lotA, ownResult), ownResult);
        // No user_id at all.
        Envelope anonymous = a.next(Events.availability(0, 60));
        asA.basicPublish(Topology.EVENTS_EXCHANGE, key(lotA, anonymous), AmqpEnvelopes.properties(anonymous),
                MessageCodec.encode(anonymous));
        asA.waitForConfirmsOrDie(5_000);
        // An id of 5,200 characters: before, PostgreSQL refused its index row (54000) and it was requeued forever.
        Envelope template = a.next(Events.availability(0, 70));
        String huge = new String(MessageCodec.encode(template), StandardCharsets.UTF_8)
                .replace(template.id(), "x".repeat(5_200));
        asA.basicPublish(Topology.EVENTS_EXCHANGE, key(lotA, template), new AMQP.BasicProperties.Builder()
                .messageId("huge-" + lotA).userId(edgeA).deliveryMode(2).build(), huge.getBytes(StandardCharsets.UTF_8));
        asA.waitForConfirmsOrDie(5_000);

        assertThat(reasonOf(availability.id()), startsWith("FOREIGN_EDGE"));
        assertThat(reasonOf(declined.id()), startsWith("WRONG_AUTHOR"));
        assertThat(reasonOf(refunded.id()), startsWith("WRONG_AUTHOR"));
        assertThat(reasonOf(closed.id()), startsWith("FOREIGN_EDGE"));
        assertThat(reasonOf(ownResult.id()), startsWith("WRONG_AUTHOR"));
        assertThat(reasonOf(anonymous.id()), startsWith("MISSING_AUTHOR"));
        assertThat(reasonOf("huge-" + lotA), startsWith("INVALID_PAYLOAD"));
        assertThat(snapshot(), is(before));
        assertThat(consumer.isConnected(), is(true));

        // What the broker refuses itself: another lot's routing key, and another user's user_id.
        Envelope wrongKey = b.next(Events.availability(98, 80));
        asA.basicPublish(Topology.EVENTS_EXCHANGE, key(lotB, wrongKey),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(wrongKey), edgeA), MessageCodec.encode(wrongKey));
        await().atMost(Duration.ofSeconds(10)).until(() -> !asA.isOpen());
        assertThat(asA.getCloseReason().getMessage(), containsString("ACCESS_REFUSED"));
        Channel again = as(edgeA);
        Envelope impostor = a.next(Events.availability(0, 90));
        again.basicPublish(Topology.EVENTS_EXCHANGE, key(lotA, impostor),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(impostor), workerUser),
                MessageCodec.encode(impostor));
        await().atMost(Duration.ofSeconds(10)).until(() -> !again.isOpen());
        assertThat(again.getCloseReason().getMessage(), containsString("PRECONDITION_FAILED"));

        // Ingest still runs: a legitimate event after all of it is applied.
        Envelope later = b.next(Events.availability(21, 100));
        publish(asB, edgeB, key(lotB, later), later);
        await().atMost(Duration.ofSeconds(20)).until(() -> snapshot().contains(lotB + " L0 21 100"));
        assertThat(snapshot(), containsString("sB-" + lotB + " " + lotB + " OPEN"));
        assertThat(snapshot(), containsString("refB-" + lotB + " REQUESTED"));
    }
}
