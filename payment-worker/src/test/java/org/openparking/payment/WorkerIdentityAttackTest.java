package org.openparking.payment;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.openparking.testing.StripeStubs.intent;
import static org.openparking.testing.StripeStubs.stubIntents;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.payment.worker.CrashPoints;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Authors;
import org.openparking.platform.amqp.BrokerSettings;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.RefundRequested;
import org.openparking.protocol.RefundResult;
import org.openparking.testing.StripeStubs;

/**
 * A stolen edge credential against the payment worker, and refunds beyond what was paid, with real broker
 * users (the edge's shaped like the rabbitmq role's, nobody trusted): refused requests are dead-lettered
 * with their reason, Stripe is not called and the worker's PostgreSQL rows do not change.
 */
class WorkerIdentityAttackTest extends WorkerTestBase {
    private String edgeUser;
    private String cloudUser;
    private String workerUser;
    private Channel asEdge;
    private Channel asCloud;

    @BeforeEach
    void users() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        edgeUser = Authors.edgeUser(lotId, levelId);
        cloudUser = "cloud-sync-" + run;
        workerUser = "payment-worker-" + run;
        String queue = "edge\\." + lotId + "\\." + levelId;
        broker.addUser(edgeUser, "pw", "^" + queue + "$", "^(parking\\.events|parking\\.payments|parking\\.dlx)$",
                "^" + queue + "$");
        String services = "^(parking\\..*|cloud-sync\\..*|payments\\..*|edge\\..*)$";
        broker.addUser(cloudUser, "pw", services, services, services);
        broker.addUser(workerUser, "pw", services, services, services);
        asEdge = channel(edgeUser);
        asCloud = channel(cloudUser);
        WorkerSettings base = settings(1);
        WorkerSettings asWorker = new WorkerSettings(base.broker().withUri(broker.uri(workerUser, "pw"))
                .withAuthors(new Authors(cloudUser, null, Set.of())), base.db(), base.serverPort(), base.stripe(),
                base.worker());
        PaymentApplication app = PaymentApplication.start(asWorker, CrashPoints.NONE);
        apps.add(app);
    }

    private Channel channel(String user) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri(user, "pw"));
        Channel ch = f.newConnection("attack-" + user).createChannel();
        ch.confirmSelect();
        return ch;
    }

    private Envelope request(Channel ch, String user, String lot, Message payload) throws Exception {
        Envelope env = Envelope.of(Envelope.edgeId(lot, levelId), lot, levelId, seq.getAndIncrement(), Instant.now(),
                payload);
        ch.basicPublish(Topology.PAYMENTS_EXCHANGE, Topology.PAYMENTS_ROUTING_KEY,
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(env), user), MessageCodec.encode(env));
        ch.waitForConfirmsOrDie(5_000);
        return env;
    }

    private String deadReason(Envelope env) {
        List<GetResponse> dead = await().atMost(Duration.ofSeconds(20)).until(() -> deadLettered(env.id()),
                not(empty()));
        return String.valueOf(dead.getFirst().getProps().getHeaders().get(Topology.DEAD_REASON_HEADER));
    }

    private String rows(String paymentId) throws Exception {
        StringBuilder out = new StringBuilder();
        try (var c = database.connect();
             PreparedStatement p = c.prepareStatement(
                     "SELECT status, refunded_amount FROM payment_results WHERE payment_id = ?");
             PreparedStatement r = c.prepareStatement(
                     "SELECT refund_id, outcome, amount FROM refund_results WHERE payment_id = ? ORDER BY 1")) {
            p.setString(1, paymentId);
            r.setString(1, paymentId);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append(' ').append(rs.getLong(2)).append('\n');
                }
            }
            try (ResultSet rs = r.executeQuery()) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append(' ').append(rs.getString(2)).append(' ')
                            .append(rs.getLong(3)).append('\n');
                }
            }
        }
        return out.toString();
    }

    private List<RefundResult> refundResults(String refundId) {
        return eventResults.stream().map(Envelope::payload)
                .filter(p -> p instanceof RefundResult r && r.refundId().equals(refundId))
                .map(RefundResult.class::cast).toList();
    }

    private RefundRequested refund(String refundId, String paymentId, long amount) {
        // The Stripe reference of the message is not what the worker refunds against: it uses its own.
        return new RefundRequested(refundId, paymentId, "s-" + paymentId, "pi_someone_else", amount, "EUR", "test",
                "op");
    }

    @Test
    void anEdgeChargesOnlyForItselfAndNeverRefunds() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        stripe.stubFor(post(urlEqualTo(StripeStubs.REFUNDS)).willReturn(StripeStubs.refund("succeeded")));
        String paid = newPaymentId();
        request(asEdge, edgeUser, lotId, payment(paid));
        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, paid).isEmpty());
        String before = rows(paid);
        assertThat(before, is("PAID 0\n"));

        String foreign = newPaymentId();
        Envelope forLotB = request(asEdge, edgeUser, "B" + lotId, payment(foreign));
        assertThat(deadReason(forLotB), startsWith("FOREIGN_EDGE"));
        Envelope edgeRefund = request(asEdge, edgeUser, lotId, refund("ref_edge_" + paid, paid, 500));
        assertThat(deadReason(edgeRefund), startsWith("WRONG_AUTHOR"));

        assertThat(rows(foreign), is(""));
        assertThat(rows(paid), is(before));
        assertThat(stripe.findAll(postRequestedFor(urlEqualTo(StripeStubs.INTENTS))), hasSize(1));
        assertThat(stripe.findAll(postRequestedFor(urlEqualTo(StripeStubs.REFUNDS))), hasSize(0));
    }

    @Test
    void cloudSyncRefundsAtMostWhatWasPaidMinusWhatWasRefunded() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        stripe.stubFor(post(urlEqualTo(StripeStubs.REFUNDS)).willReturn(StripeStubs.refund("succeeded")));
        String paid = newPaymentId();
        request(asEdge, edgeUser, lotId, payment(paid));
        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, paid).isEmpty());

        Envelope tooMuch = request(asCloud, cloudUser, lotId, refund("ref_1_" + paid, paid, 501));
        assertThat(deadReason(tooMuch), startsWith("REFUND_EXCEEDS_PAYMENT"));
        assertThat(rows(paid), is("PAID 0\n"));

        request(asCloud, cloudUser, lotId, refund("ref_2_" + paid, paid, 300));
        await().atMost(Duration.ofSeconds(20)).until(() -> !refundResults("ref_2_" + paid).isEmpty());
        assertThat(refundResults("ref_2_" + paid).getFirst().outcome(), is("REFUNDED"));
        assertThat(rows(paid), is("PAID 300\nref_2_" + paid + " REFUNDED 300\n"));
        String form = java.net.URLDecoder.decode(stripe.findAll(postRequestedFor(urlEqualTo(StripeStubs.REFUNDS)))
                .getFirst().getBodyAsString(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(form.contains("payment_intent=pi_" + paid), is(true));

        Envelope beyondWhatIsLeft = request(asCloud, cloudUser, lotId, refund("ref_3_" + paid, paid, 201));
        assertThat(deadReason(beyondWhatIsLeft), startsWith("REFUND_EXCEEDS_PAYMENT"));
        assertThat(rows(paid), is("PAID 300\nref_2_" + paid + " REFUNDED 300\n"));
        assertThat(stripe.findAll(postRequestedFor(urlEqualTo(StripeStubs.REFUNDS))), hasSize(1));
    }
}
