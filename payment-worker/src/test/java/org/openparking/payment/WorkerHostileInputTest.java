package org.openparking.payment;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.RefundRequested;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.HostileMessages;
import org.openparking.testing.HostileMessages.Hostile;
import org.openparking.testing.ServiceLogLines;

/**
 * Hostile input at the payment workers' AMQP door, {@code payments.requests}, published as an edge does:
 * generated malformed, wrongly typed, oversized and wrongly encoded bodies ({@link HostileMessages}, made
 * from a payment request and a refund request), requests no charge may come from (an amount of zero or
 * less, a currency that is not ISO 4217, a card number as the payment method) and wrongly addressed ones
 * (no author, an event type, an unknown type, a newer schema). Every one must be dead-lettered with an
 * {@code x-dead-reason}, reach Stripe not once, publish no result, leave the worker's tables exactly as
 * they were, keep the worker consuming, and log at most three lines.
 */
class WorkerHostileInputTest {
    private static final WorkerTestBase base = new WorkerTestBase() {
    };
    private static Channel ch;
    private static ServiceLogLines logLines;
    private static String snapshot;
    private static final Map<String, String> deadReasons = new ConcurrentHashMap<>();

    @BeforeContainer
    static void start() throws Exception {
        WorkerTestBase.startServices();
        base.perTest();
        base.startWorker();
        ch = WorkerTestBase.amqp.createChannel();
        ch.confirmSelect();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                ch.queueDeclarePassive(Topology.PAYMENTS_QUEUE).getConsumerCount() >= 1);
        logLines = ServiceLogLines.install();
        snapshot = snapshot();
    }

    @AfterContainer
    static void stop() throws Exception {
        logLines.close();
        base.closeWorkers();
        WorkerTestBase.stopServices();
    }

    record Input(Hostile hostile, String userId) {
        @Override
        public String toString() {
            return hostile + (userId == null ? " (no user_id)" : "");
        }
    }

    @Property(tries = 500)
    void everyHostileRequestIsDeadLetteredChargesNothingAndChangesNothing(@ForAll("hostile") Input in)
            throws Exception {
        int logBefore = logLines.count();
        String id = "hostile-" + UUID.randomUUID();
        ch.basicPublish(Topology.PAYMENTS_EXCHANGE, Topology.PAYMENTS_ROUTING_KEY, new AMQP.BasicProperties.Builder()
                .messageId(id).userId(in.userId()).deliveryMode(2).contentType("application/json").build(),
                in.hostile().body());
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
        assertThat(in + ": Stripe never called", WorkerTestBase.stripe.getAllServeEvents(), is(empty()));
        assertThat(in + ": no result to the edge", base.edgeResults, is(empty()));
        assertThat(in + ": no result event", base.eventResults, is(empty()));
        assertThat(in + ": stored state unchanged", snapshot(), is(snapshot));
        assertThat(in + ": still consuming", ch.queueDeclarePassive(Topology.PAYMENTS_QUEUE).getConsumerCount(),
                greaterThanOrEqualTo(1));
        // Two lines per dead letter (the consumer's and the acknowledger's), one more for a card number refused.
        assertThat(in + ": log lines for one message", logLines.count() - logBefore, lessThanOrEqualTo(3));
    }

    @Provide
    Arbitrary<Input> hostile() {
        PaymentRequested payment = new PaymentRequested("pay_hostile", "s-hostile", 500, "EUR", "pm_card_visa", false,
                "AB123");
        List<String> valid = List.of(valid(payment), valid(new RefundRequested("ref_hostile", "pay_hostile",
                "s-hostile", "pi_hostile", 500, "EUR", "barrier fault", "alice")));
        Arbitrary<Input> generic = HostileMessages.from(valid).map(h -> new Input(h, "guest"));
        String request = valid.getFirst();
        Arbitrary<Input> noCharge = Arbitraries.oneOf(
                Arbitraries.longs().between(Long.MIN_VALUE, 0).map(a -> request.replace("\"amount\":500",
                        "\"amount\":" + a)),
                Arbitraries.of("eur", "EURO", "E1R", "", "\u20ac", "XX").map(c -> request.replace("\"currency\":\"EUR\"",
                        "\"currency\":\"" + c + "\"")),
                Arbitraries.of("4242424242424242", "4000 0000 0000 0002", "5555-5555-5555-4444", "378282246310005")
                        .map(pan -> request.replace("\"paymentMethod\":\"pm_card_visa\"",
                                "\"paymentMethod\":\"" + pan + "\"")),
                Arbitraries.of("paymentId", "sessionId", "paymentMethod").map(f -> request.replaceFirst(
                        "\"" + f + "\":\"[^\"]*\"", "\"" + f + "\":\" \"")))
                .map(s -> new Input(new Hostile("no charge", s.getBytes(StandardCharsets.UTF_8)), "guest"));
        Arbitrary<Input> anonymous = Arbitraries.just(new Input(new Hostile("no author", bytes(request)), null));
        Arbitrary<Input> event = Arbitraries.of(VehicleType.values()).map(t -> new Input(new Hostile("an event type",
                MessageCodec.encode(envelope(new SessionOpened("s-x", "in-1", "AB123", t, Instant.now(), 1)))), "guest"));
        Arbitrary<Input> unknownType = Arbitraries.of(valid).map(v -> new Input(new Hostile("unknown type",
                bytes(v.replaceFirst("\"type\":\"[^\"]+\"", "\"type\":\"payment.teleported\""))), "guest"));
        Arbitrary<Input> newerSchema = Arbitraries.integers().between(2, 1_000).flatMap(n -> Arbitraries.of(valid)
                .map(v -> new Input(new Hostile("schema " + n, bytes(v.replace("\"schemaVersion\":1",
                        "\"schemaVersion\":" + n))), "guest")));
        return Arbitraries.oneOf(generic, generic, generic, noCharge, anonymous, event, unknownType, newerSchema);
    }

    private static Envelope envelope(Message m) {
        return Envelope.of(base.edgeId, base.lotId, base.levelId, 1, Instant.now(), m);
    }

    private static String valid(Message m) {
        return MessageCodec.encodeToString(envelope(m));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String snapshot() throws Exception {
        StringBuilder s = new StringBuilder();
        try (Connection c = WorkerTestBase.database.connect(); Statement st = c.createStatement()) {
            for (String table : List.of("payment_results", "refund_results", "webhook_events")) {
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
    }
}
