package org.openparking.payment;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import com.rabbitmq.client.Channel;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
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
import org.openparking.testing.DeadLetterWatch;
import org.openparking.testing.HostileMessages;
import org.openparking.testing.HostileMessages.Authored;
import org.openparking.testing.HostileMessages.Hostile;
import org.openparking.testing.HostileRig;

/**
 * Hostile input at the payment workers' AMQP door, {@code payments.requests}, published as an edge does:
 * generated malformed, wrongly typed, oversized and wrongly encoded bodies ({@link HostileMessages}, made
 * from a payment request and a refund request), requests no charge may come from (an amount of zero or
 * less, a currency that is not ISO 4217, a card number as the payment method) and wrongly addressed ones
 * (no author, an event type, an unknown type, a newer schema). Every one must be dead-lettered with an
 * {@code x-dead-reason}, reach Stripe not once, publish no result, leave the worker's tables exactly as
 * they were, keep the worker consuming, and log exactly one line, which names the message and the reason
 * and never shows a card number.
 */
class WorkerHostileInputTest {
    private static final List<String> CARD_NUMBERS = List.of("4242424242424242", "4000 0000 0000 0002",
            "5555-5555-5555-4444", "378282246310005");
    private static final WorkerTestBase base = new WorkerTestBase() {
    };
    private static Channel ch;
    private static DeadLetterWatch dead;
    private static HostileRig rig;

    @BeforeContainer
    static void start() throws Exception {
        WorkerTestBase.startServices();
        base.perTest();
        base.startWorker();
        ch = WorkerTestBase.amqp.createChannel();
        dead = new DeadLetterWatch(ch, Topology.DEAD_QUEUE, Topology.DEAD_REASON_HEADER);
        await().atMost(Duration.ofSeconds(30)).until(() -> consumers() >= 1);
        rig = HostileRig.start(WorkerHostileInputTest::snapshot);
    }

    @AfterContainer
    static void stop() throws Exception {
        rig.close();
        base.closeWorkers();
        WorkerTestBase.stopServices();
    }

    @Property(tries = 500)
    void everyHostileRequestIsDeadLetteredChargesNothingAndChangesNothing(@ForAll("hostile") Authored in)
            throws Exception {
        HostileRig.Step step = rig.step(in);
        DeadLetterWatch.DeadLetter d = dead.publishAndAwait(Topology.PAYMENTS_EXCHANGE, Topology.PAYMENTS_ROUTING_KEY,
                in.userId(), in.hostile().body(), in);
        assertThat(in + ": Stripe never called", WorkerTestBase.stripe.getAllServeEvents(), is(empty()));
        assertThat(in + ": no result to the edge", base.edgeResults, is(empty()));
        assertThat(in + ": no result event", base.eventResults, is(empty()));
        step.assertUnchanged();
        step.assertAlive("still consuming", consumers() >= 1);
        step.assertOneLogLineNaming(d.messageId(), d.reason());
        step.assertLogNeverShows(CARD_NUMBERS);
    }

    @Provide
    Arbitrary<Authored> hostile() {
        PaymentRequested payment = new PaymentRequested("pay_hostile", "s-hostile", 500, "EUR", "pm_card_visa", false,
                "AB123");
        List<String> valid = List.of(valid(payment), valid(new RefundRequested("ref_hostile", "pay_hostile",
                "s-hostile", "pi_hostile", 500, "EUR", "barrier fault", "alice")));
        Arbitrary<Authored> generic = HostileMessages.from(valid).map(h -> new Authored(h, "guest"));
        String request = valid.getFirst();
        Arbitrary<Authored> noCharge = Arbitraries.oneOf(
                Arbitraries.longs().between(Long.MIN_VALUE, 0).map(a -> request.replace("\"amount\":500",
                        "\"amount\":" + a)),
                Arbitraries.of("eur", "EURO", "E1R", "", "\u20ac", "XX").map(c -> request.replace("\"currency\":\"EUR\"",
                        "\"currency\":\"" + c + "\"")),
                Arbitraries.of(CARD_NUMBERS).map(pan -> request.replace("\"paymentMethod\":\"pm_card_visa\"",
                        "\"paymentMethod\":\"" + pan + "\"")),
                Arbitraries.of("paymentId", "sessionId", "paymentMethod").map(f -> request.replaceFirst(
                        "\"" + f + "\":\"[^\"]*\"", "\"" + f + "\":\" \"")))
                .map(s -> new Authored(new Hostile("no charge", s.getBytes(StandardCharsets.UTF_8)), "guest"));
        Arbitrary<Authored> event = Arbitraries.of(VehicleType.values()).map(t -> new Authored(new Hostile(
                "an event type", MessageCodec.encode(envelope(new SessionOpened("s-x", "in-1", "AB123", t, Instant.now(),
                        1)))), "guest"));
        return Arbitraries.frequencyOf(Tuple.of(3, generic), Tuple.of(1, noCharge), Tuple.of(1, event),
                Tuple.of(3, HostileMessages.misaddressed(valid, "payment.teleported", "guest")));
    }

    private static Envelope envelope(Message m) {
        return Envelope.of(base.edgeId, base.lotId, base.levelId, 1, Instant.now(), m);
    }

    private static String valid(Message m) {
        return MessageCodec.encodeToString(envelope(m));
    }

    private static int consumers() throws Exception {
        return ch.queueDeclarePassive(Topology.PAYMENTS_QUEUE).getConsumerCount();
    }

    private static String snapshot() throws Exception {
        try (Connection c = WorkerTestBase.database.connect()) {
            return HostileRig.tables(c, List.of("payment_results", "refund_results", "webhook_events"));
        }
    }
}
