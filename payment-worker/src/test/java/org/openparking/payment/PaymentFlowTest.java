package org.openparking.payment;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.openparking.testing.StripeStubs.intent;
import static org.openparking.testing.StripeStubs.intentPosts;
import static org.openparking.testing.StripeStubs.postsFor;
import static org.openparking.testing.StripeStubs.stubIntents;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.StripeStubs;

/** A request through the real broker and database to WireMock-Stripe and back. */
class PaymentFlowTest extends WorkerTestBase {

    @Test
    void paidResultGoesToTheEdgeAndToEventsWithTheRequestSeq() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        startWorker();
        String id = newPaymentId();
        Envelope request = send(payment(id));

        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, id).isEmpty()
                && !paymentResults(eventResults, id).isEmpty());
        PaymentResult result = paymentResults(edgeResults, id).getFirst();
        assertThat(result.outcome(), is(PaymentResult.Outcome.PAID));
        assertThat(result.providerReference(), is("pi_" + id));
        assertThat(result.amount(), is(500L));
        Envelope env = edgeResults.stream().filter(e -> e.payload().equals(result)).findFirst().orElseThrow();
        assertThat(env.seq(), is(request.seq()));
        assertThat(env.edgeId(), is(edgeId));
        assertThat(storedStatus(id), is("PAID"));

        LoggedRequest call = intentPosts(stripe).getFirst();
        assertThat(call.getHeader("Idempotency-Key"), is(id));
        assertThat(call.getHeader("Authorization"), is("Bearer " + API_KEY));
        String form = java.net.URLDecoder.decode(call.getBodyAsString(), StandardCharsets.UTF_8);
        assertThat(form, containsString("payment_method=pm_card_visa"));
        assertThat(form, containsString("confirm=true"));
        assertThat(form, containsString("amount=500"));
        assertThat(form, containsString("currency=eur"));
        assertThat(form, containsString("automatic_payment_methods[allow_redirects]=never"));
        assertThat(form, containsString("metadata[payment_id]=" + id));
        await().atMost(Duration.ofSeconds(10)).until(() -> ready(Topology.PAYMENTS_QUEUE) == 0);
    }

    @Test
    void declineIsPublishedAsDeclinedWithItsCode() throws Exception {
        stubIntents(stripe, StripeStubs.declined("insufficient_funds"));
        startWorker();
        String id = newPaymentId();
        send(payment(id));

        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        PaymentResult result = paymentResults(edgeResults, id).getFirst();
        assertThat(result.outcome(), is(PaymentResult.Outcome.DECLINED));
        assertThat(result.failureCode(), is("insufficient_funds"));
        assertThat(result.providerReference(), is("pi_" + id));
        assertThat(storedStatus(id), is("DECLINED"));
        assertThat(postsFor(stripe, id), is(1L));
    }

    @Test
    void fiveHundredThenTwoHundredRetriesWithTheSameIdempotencyKey() throws Exception {
        stripe.stubFor(post(urlEqualTo(StripeStubs.INTENTS)).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(StripeStubs.error(500, "api_error", null, null, "An unknown error occurred"))
                .willSetStateTo("recovered"));
        stripe.stubFor(post(urlEqualTo(StripeStubs.INTENTS)).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(intent("succeeded")));
        startWorker();
        String id = newPaymentId();
        send(payment(id));

        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        assertThat(paymentResults(edgeResults, id).getFirst().outcome(), is(PaymentResult.Outcome.PAID));
        List<LoggedRequest> posts = intentPosts(stripe);
        assertThat(posts, hasSize(2));
        assertThat(posts.stream().map(r -> r.getHeader("Idempotency-Key")).toList(), contains(id, id));
    }

    @Test
    void duplicateDeliveriesChargeOnceAndRepublishTheSameResult() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        startWorker(settings(3), org.openparking.payment.worker.CrashPoints.NONE);
        String id = newPaymentId();
        for (int i = 0; i < 4; i++) {
            send(payment(id));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> paymentResults(edgeResults, id).size() == 4);
        assertThat(postsFor(stripe, id), is(1L));
        List<PaymentResult> results = paymentResults(edgeResults, id);
        assertThat(results.stream().map(PaymentResult::providerReference).distinct().toList(), contains("pi_" + id));
        // Republished results carry the same envelope id, so the edge's inbox sees duplicates.
        assertThat(edgeResults.stream().filter(e -> e.payload() instanceof PaymentResult r
                && r.paymentId().equals(id)).map(Envelope::id).distinct().count(), is(1L));
    }

    @Test
    void storedResultOlderThanStripesIdempotencyWindowIsRepublishedWithoutCallingStripe() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        String id = newPaymentId();
        Instant dayAndAHourAgo = Instant.now().minus(Duration.ofHours(25));
        startWorker();
        try (var c = database.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO payment_results (payment_id, session_id, status,"
                     + " amount, currency, deferred, provider_reference, edge_id, lot_id, level_id, seq, created_at,"
                     + " updated_at) VALUES (?, ?, 'PAID', 500, 'EUR', true, ?, ?, ?, ?, 7, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, "s-" + id);
            ps.setString(3, "pi_original");
            ps.setString(4, edgeId);
            ps.setString(5, lotId);
            ps.setString(6, levelId);
            ps.setTimestamp(7, Timestamp.from(dayAndAHourAgo));
            ps.setTimestamp(8, Timestamp.from(dayAndAHourAgo));
            ps.executeUpdate();
        }
        send(payment(id));

        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        PaymentResult result = paymentResults(edgeResults, id).getFirst();
        assertThat(result.outcome(), is(PaymentResult.Outcome.PAID));
        assertThat(result.providerReference(), is("pi_original"));
        assertThat(intentPosts(stripe), is(empty()));
    }

    @Test
    void cardNumberIsDeadLetteredRedactedAndNeverSentToStripe() throws Exception {
        startWorker();
        String id = newPaymentId();
        Envelope request = send(new PaymentRequested(id, "s-" + id, 500, "EUR", "4000056655665556", false, null));

        List<GetResponse> dead = await().atMost(Duration.ofSeconds(20))
                .until(() -> deadLettered(request.id()), not(empty()));
        GetResponse d = dead.getFirst();
        assertThat(String.valueOf(d.getProps().getHeaders().get(Topology.DEAD_REASON_HEADER)),
                is("CARD_NUMBER_REJECTED"));
        String body = new String(d.getBody(), StandardCharsets.UTF_8);
        assertThat(body, not(containsString("4000056655665556")));
        assertThat(body, containsString(id));
        assertThat(intentPosts(stripe), is(empty()));
    }

    @Test
    void malformedAndUnexpectedMessagesAreDeadLetteredWithAReason() throws Exception {
        startWorker();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("bad-json-" + lotId)
                .deliveryMode(2).build();
        sendRaw("{not json".getBytes(StandardCharsets.UTF_8), props);
        Envelope wrongType = send(new PaymentResult("p1", "s1", PaymentResult.Outcome.PAID, 1, "EUR", null, null,
                null, false));

        String invalid = ("{\"id\":\"bad-amount-%s\",\"type\":\"payment.requested\",\"schemaVersion\":1,"
                + "\"edgeId\":\"%s\",\"lotId\":\"%s\",\"levelId\":\"%s\",\"seq\":1,"
                + "\"occurredAt\":\"2026-11-25T00:00:00Z\",\"payload\":{\"paymentId\":\"p\",\"sessionId\":\"s\","
                + "\"amount\":0,\"currency\":\"EUR\",\"paymentMethod\":\"pm_card_visa\",\"deferred\":false}}")
                .formatted(lotId, edgeId, lotId, levelId);
        sendRaw(invalid.getBytes(StandardCharsets.UTF_8), new AMQP.BasicProperties.Builder()
                .messageId("bad-amount-" + lotId).deliveryMode(2).build());

        List<GetResponse> bad = await().atMost(Duration.ofSeconds(20))
                .until(() -> deadLettered("bad-json-" + lotId), not(empty()));
        assertThat(String.valueOf(bad.getFirst().getProps().getHeaders().get(Topology.DEAD_REASON_HEADER)),
                is("MALFORMED_JSON"));
        List<GetResponse> unexpected = await().atMost(Duration.ofSeconds(20))
                .until(() -> deadLettered(wrongType.id()), not(empty()));
        assertThat(String.valueOf(unexpected.getFirst().getProps().getHeaders().get(Topology.DEAD_REASON_HEADER)),
                is("UNEXPECTED_TYPE"));
        List<GetResponse> invalidAmount = await().atMost(Duration.ofSeconds(20))
                .until(() -> deadLettered("bad-amount-" + lotId), not(empty()));
        assertThat(String.valueOf(invalidAmount.getFirst().getProps().getHeaders()
                .get(Topology.DEAD_REASON_HEADER)), is("INVALID_PAYLOAD"));
        await().atMost(Duration.ofSeconds(10)).until(() -> ready(Topology.PAYMENTS_QUEUE) == 0);
        assertThat(intentPosts(stripe), is(empty()));
    }

    @Test
    void processingIntentIsStoredPendingAndAckedWithoutAResult() throws Exception {
        stubIntents(stripe, intent("processing"));
        startWorker();
        String id = newPaymentId();
        send(payment(id));

        await().atMost(Duration.ofSeconds(20)).until(() -> "PENDING".equals(storedStatus(id)));
        await().atMost(Duration.ofSeconds(10)).until(() -> ready(Topology.PAYMENTS_QUEUE) == 0);
        assertThat(paymentResults(edgeResults, id), is(empty()));

        // A redelivery of a PENDING payment asks Stripe for the intent instead of creating one.
        stripe.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(StripeStubs.INTENTS + "/pi_" + id))
                .willReturn(StripeStubs.intentOf(id, "succeeded")));
        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        assertThat(paymentResults(edgeResults, id).getFirst().outcome(), is(PaymentResult.Outcome.PAID));
        assertThat(postsFor(stripe, id), is(1L));
        assertThat(storedStatus(id), is("PAID"));
    }

    @Test
    void pendingPaymentWithoutWebhookIsSettledByTheSweep() throws Exception {
        stubIntents(stripe, intent("processing"));
        WorkerSettings base = settings(1);
        WorkerSettings.Worker w = base.worker();
        WorkerSettings sweeping = new WorkerSettings(base.broker(), base.db(),
                base.serverPort(), base.stripe(), new WorkerSettings.Worker(w.consumers(), w.prefetch(), w.holdMax(),
                w.holdDelay(), w.claimTimeout(), Duration.ofMillis(200), Duration.ZERO));
        String id = newPaymentId();
        stripe.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(StripeStubs.INTENTS + "/pi_" + id))
                .willReturn(StripeStubs.intentOf(id, "processing")));
        startWorker(sweeping, org.openparking.payment.worker.CrashPoints.NONE);
        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> "PENDING".equals(storedStatus(id)));
        await().atMost(Duration.ofSeconds(10)).until(() -> stripe.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                        urlEqualTo(StripeStubs.INTENTS + "/pi_" + id))).size() >= 2);
        assertThat("still processing: nothing to publish", paymentResults(edgeResults, id), is(empty()));

        stripe.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(StripeStubs.INTENTS + "/pi_" + id))
                .willReturn(StripeStubs.intentOf(id, "succeeded")));
        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        assertThat(paymentResults(edgeResults, id).getFirst().outcome(), is(PaymentResult.Outcome.PAID));
        assertThat(storedStatus(id), is("PAID"));
        assertThat(postsFor(stripe, id), is(1L));
    }
}
