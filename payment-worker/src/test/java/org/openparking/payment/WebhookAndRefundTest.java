package org.openparking.payment;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.openparking.testing.StripeStubs.intent;
import static org.openparking.testing.StripeStubs.stubIntents;

import com.stripe.Stripe;
import com.stripe.net.Webhook;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.RefundRequested;
import org.openparking.protocol.RefundResult;
import org.openparking.testing.StripeStubs;
import org.openparking.testing.TestHttp;

/** Stripe webhooks over real HTTP, and the refund flow through the broker. */
class WebhookAndRefundTest extends WorkerTestBase {
    private final TestHttp http = TestHttp.create();

    private static String intentEvent(String eventId, String type, String intentId, String paymentId,
                                      String status) {
        String lastError = "payment_intent.payment_failed".equals(type)
                ? "{\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":\"do_not_honor\","
                  + "\"message\":\"Your card was declined.\"}"
                : "null";
        return """
                {"id": "%s", "object": "event", "api_version": "%s", "created": %d, "livemode": false,
                 "pending_webhooks": 1, "request": {"id": null, "idempotency_key": "%s"}, "type": "%s",
                 "data": {"object": {"id": "%s", "object": "payment_intent", "amount": 500, "currency": "eur",
                   "status": "%s", "last_payment_error": %s, "metadata": {"payment_id": "%s"},
                   "livemode": false, "created": 1764028800}}}"""
                .formatted(eventId, Stripe.API_VERSION, Instant.now().getEpochSecond(), paymentId, type, intentId,
                        status, lastError, paymentId);
    }

    private static String sign(String payload, String secret) throws Exception {
        long t = Instant.now().getEpochSecond();
        return "t=" + t + ",v1=" + Webhook.Util.computeHmacSha256(secret, t + "." + payload);
    }

    private TestHttp.Response deliver(PaymentApplication app, String payload, String signature) {
        String[] headers = signature == null ? new String[0] : new String[] {"Stripe-Signature", signature};
        return http.post("http://127.0.0.1:" + app.port() + "/webhooks/stripe", payload, headers);
    }

    @Test
    void webhookSettlesAPendingPaymentOnceAndIgnoresDuplicatesAndBadSignatures() throws Exception {
        stubIntents(stripe, intent("processing"));
        PaymentApplication app = startWorker();
        String id = newPaymentId();
        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> "PENDING".equals(storedStatus(id)));

        String event = intentEvent("evt_" + id, "payment_intent.succeeded", "pi_" + id, id, "succeeded");
        TestHttp.Response forged = deliver(app, event, sign(event, "whsec_wrong"));
        assertThat(forged.status(), is(400));
        assertThat(forged.text(), containsString("\"error\":\"INVALID_SIGNATURE\""));
        TestHttp.Response unsigned = deliver(app, event, null);
        assertThat(unsigned.status(), is(400));
        assertThat(storedStatus(id), is("PENDING"));

        TestHttp.Response good = deliver(app, event, sign(event, WEBHOOK_SECRET));
        assertThat(good.text(), good.status(), is(200));
        assertThat(storedStatus(id), is("PAID"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        PaymentResult result = paymentResults(edgeResults, id).getFirst();
        assertThat(result.outcome(), is(PaymentResult.Outcome.PAID));
        assertThat(result.providerReference(), is("pi_" + id));

        TestHttp.Response again = deliver(app, event, sign(event, WEBHOOK_SECRET));
        assertThat(again.status(), is(200));
        assertThat(again.text(), containsString("\"duplicate\":true"));
        // A later failure event for the same (now paid) intent changes nothing.
        String failed = intentEvent("evt_f_" + id, "payment_intent.payment_failed", "pi_" + id, id,
                "requires_payment_method");
        assertThat(deliver(app, failed, sign(failed, WEBHOOK_SECRET)).status(), is(200));
        assertThat(storedStatus(id), is("PAID"));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> paymentResults(edgeResults, id).size() == 1);
    }

    @Test
    void oversizedWebhookIsRefusedUnreadAndTheWorkerKeepsServing() throws Exception {
        stubIntents(stripe, intent("processing"));
        PaymentApplication app = startWorker();
        String id = newPaymentId();
        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> "PENDING".equals(storedStatus(id)));

        // Correctly signed, so only the size limit stands between it and the store.
        String event = intentEvent("evt_big_" + id, "payment_intent.succeeded", "pi_" + id, id, "succeeded");
        String huge = event.substring(0, event.length() - 1) + ", \"pad\": \"" + "x".repeat(4 << 20) + "\"}";
        TestHttp.Response declared = http.expectingContinue().post("http://127.0.0.1:" + app.port()
                + "/webhooks/stripe", huge, "Stripe-Signature", sign(huge, WEBHOOK_SECRET));
        assertThat(declared.text(), declared.status(), is(413));
        assertThat(declared.error(), is("BODY_TOO_LARGE"));

        // Chunked: no Content-Length to refuse by, so the limit applies while reading.
        String chunkedBody = event.substring(0, event.length() - 1) + ", \"pad\": \"" + "x".repeat(70_000) + "\"}";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + "/webhooks/stripe"))
                .header("Stripe-Signature", sign(chunkedBody, WEBHOOK_SECRET))
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(chunkedBody.getBytes(StandardCharsets.UTF_8))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.body(), chunked.statusCode(), is(413));
        assertThat(TestHttp.parse(chunked.body()).path("error").asText(), is("BODY_TOO_LARGE"));

        assertThat(storedStatus(id), is("PENDING"));
        assertThat(webhookEvents("evt_big_" + id), is(0L));
        TestHttp.Response good = deliver(app, event, sign(event, WEBHOOK_SECRET));
        assertThat(good.text(), good.status(), is(200));
        assertThat(storedStatus(id), is("PAID"));
        assertThat(webhookEvents("evt_big_" + id), is(1L));

        // What Helidon refuses before routing gets the same JSON body as the worker's own refusals.
        TestHttp.RawResponse garbage = TestHttp.raw(app.port(), "NOT HTTP AT ALL\r\n\r\n");
        assertThat(garbage.head(), garbage.status(), is(400));
        assertThat(garbage.head(), garbage.error(), is("BAD_REQUEST"));
    }

    private long webhookEvents(String eventId) throws Exception {
        try (var c = database.connect();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM webhook_events WHERE event_id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void eventBeforeThePaymentIsRecordedIsRefusedSoStripeSendsItAgain() throws Exception {
        stubIntents(stripe, intent("processing"));
        PaymentApplication app = startWorker();
        String id = newPaymentId();
        String event = intentEvent("evt_early_" + id, "payment_intent.succeeded", "pi_" + id, id, "succeeded");
        TestHttp.Response early = deliver(app, event, sign(event, WEBHOOK_SECRET));
        assertThat(early.status(), is(409));
        assertThat(early.text(), containsString("PAYMENT_NOT_YET_KNOWN"));

        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> "PENDING".equals(storedStatus(id)));
        TestHttp.Response retried = deliver(app, event, sign(event, WEBHOOK_SECRET));
        assertThat(retried.text(), retried.status(), is(200));
        assertThat(retried.text(), containsString("\"duplicate\":false"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        assertThat(paymentResults(edgeResults, id).getFirst().outcome(), is(PaymentResult.Outcome.PAID));
    }

    @Test
    void failedWebhookDeclinesAPendingPayment() throws Exception {
        stubIntents(stripe, intent("processing"));
        PaymentApplication app = startWorker();
        String id = newPaymentId();
        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> "PENDING".equals(storedStatus(id)));

        String failed = intentEvent("evt_x_" + id, "payment_intent.payment_failed", "pi_" + id, id,
                "requires_payment_method");
        assertThat(deliver(app, failed, sign(failed, WEBHOOK_SECRET)).status(), is(200));
        await().atMost(Duration.ofSeconds(10)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        PaymentResult result = paymentResults(edgeResults, id).getFirst();
        assertThat(result.outcome(), is(PaymentResult.Outcome.DECLINED));
        assertThat(result.failureCode(), is("do_not_honor"));
    }

    @Test
    void refundIsExecutedOnceWithTheRefundIdAsIdempotencyKey() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        stripe.stubFor(post(urlEqualTo(StripeStubs.REFUNDS)).willReturn(StripeStubs.refund("succeeded")));
        startWorker();
        String id = newPaymentId();
        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> !paymentResults(edgeResults, id).isEmpty());

        String refundId = "ref_" + id;
        RefundRequested refund = new RefundRequested(refundId, id, "s-" + id, null, 300, "EUR",
                "requested_by_customer", "operator@lot");
        send(refund);
        send(refund);

        await().atMost(Duration.ofSeconds(20)).until(() -> refundResults(refundId).size() == 2);
        RefundResult result = refundResults(refundId).getFirst();
        assertThat(result.outcome(), is("REFUNDED"));
        assertThat(result.providerReference(), is("re_" + refundId));
        var posts = stripe.findAll(postRequestedFor(urlEqualTo(StripeStubs.REFUNDS)));
        assertThat(posts, hasSize(1));
        assertThat(posts.getFirst().getHeader("Idempotency-Key"), is(refundId));
        String form = java.net.URLDecoder.decode(posts.getFirst().getBodyAsString(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(form, containsString("payment_intent=pi_" + id));
        assertThat(form, containsString("amount=300"));
    }

    @Test
    void refundOfAnUnknownPaymentFails() throws Exception {
        startWorker();
        String refundId = "ref_" + newPaymentId();
        send(new RefundRequested(refundId, "pay_unknown", "s-x", null, 100, "EUR", null, "op"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !refundResults(refundId).isEmpty());
        assertThat(refundResults(refundId).getFirst().outcome(), is("FAILED"));
        assertThat(refundResults(refundId).getFirst().failureCode(), is("payment_not_found"));
        assertThat(stripe.findAll(postRequestedFor(urlEqualTo(StripeStubs.REFUNDS))), hasSize(0));
    }

    private List<RefundResult> refundResults(String refundId) {
        return edgeResults.stream().map(Envelope::payload)
                .filter(p -> p instanceof RefundResult r && r.refundId().equals(refundId))
                .map(RefundResult.class::cast).toList();
    }
}
