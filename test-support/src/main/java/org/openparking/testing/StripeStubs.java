package org.openparking.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * WireMock stubs shaped like Stripe's API: PaymentIntent objects and error objects
 * {@code {"error":{type,code,decline_code,message}}}. Successful creations emulate Stripe's
 * idempotency: the PaymentIntent id is derived from the Idempotency-Key header, so the same key
 * always gets the same PaymentIntent. Used by payment-worker's tests and by the simulator's Stripe; needs
 * wiremock-standalone on the classpath (an optional dependency of test-support).
 */
public final class StripeStubs {
    public static final String INTENTS = "/v1/payment_intents";
    public static final String REFUNDS = "/v1/refunds";

    private StripeStubs() {
    }

    /** A PaymentIntent as Stripe returns it; id and payment_id templated from the Idempotency-Key. */
    public static String intentJson(String status, String lastPaymentError) {
        return """
                {
                  "id": "pi_{{request.headers.Idempotency-Key}}",
                  "object": "payment_intent",
                  "amount": 500,
                  "amount_received": %s,
                  "capture_method": "automatic",
                  "client_secret": "pi_{{request.headers.Idempotency-Key}}_secret_x",
                  "confirmation_method": "automatic",
                  "created": 1764028800,
                  "currency": "eur",
                  "last_payment_error": %s,
                  "latest_charge": "ch_{{request.headers.Idempotency-Key}}",
                  "livemode": false,
                  "metadata": {"payment_id": "{{request.headers.Idempotency-Key}}"},
                  "payment_method": "pm_card_visa",
                  "payment_method_types": ["card"],
                  "status": "%s"
                }""".formatted("succeeded".equals(status) ? "500" : "0",
                lastPaymentError == null ? "null" : lastPaymentError, status);
    }

    public static ResponseDefinitionBuilder intent(String status) {
        return json(200, intentJson(status, null));
    }

    /** A PaymentIntent of a known payment id (for GET /v1/payment_intents/{id}, which has no key header). */
    public static ResponseDefinitionBuilder intentOf(String paymentId, String status) {
        return json(200, intentJson(status, null).replace("{{request.headers.Idempotency-Key}}", paymentId));
    }

    /** A PaymentIntent for any GET /v1/payment_intents/{id}: the id taken from the path. */
    public static ResponseDefinitionBuilder retrieved(String status) {
        return json(200, intentJson(status, null)
                .replace("pi_{{request.headers.Idempotency-Key}}", "{{request.pathSegments.[2]}}")
                .replace("{{request.headers.Idempotency-Key}}", "retrieved"));
    }

    public static ResponseDefinitionBuilder error(int status, String type, String code, String declineCode, String message) {
        String body = """
                {"error": {"type": "%s", "code": %s, "decline_code": %s, "message": "%s",
                  "doc_url": "https://stripe.com/docs/error-codes", "request_log_url": null}}"""
                .formatted(type, quoted(code), quoted(declineCode), message);
        return json(status, body);
    }

    /** A 402 card decline with the failed PaymentIntent inside, as Stripe sends it. */
    public static ResponseDefinitionBuilder declined(String declineCode) {
        String lastError = """
                {"type": "card_error", "code": "card_declined", "decline_code": "%s",
                 "message": "Your card was declined."}""".formatted(declineCode);
        String body = """
                {"error": {"type": "card_error", "code": "card_declined", "decline_code": "%s",
                  "message": "Your card was declined.", "charge": "ch_{{request.headers.Idempotency-Key}}",
                  "payment_intent": %s}}""".formatted(declineCode, intentJson("requires_payment_method", lastError));
        return json(402, body);
    }

    public static ResponseDefinitionBuilder refund(String status) {
        return json(200, """
                {"id": "re_{{request.headers.Idempotency-Key}}", "object": "refund", "amount": 500,
                 "currency": "eur", "payment_intent": "pi_x", "status": "%s", "created": 1764028800}"""
                .formatted(status));
    }

    public static void stubIntents(WireMockServer stripe, ResponseDefinitionBuilder response) {
        stripe.stubFor(post(urlEqualTo(INTENTS)).willReturn(response));
    }

    public static List<LoggedRequest> intentPosts(WireMockServer stripe) {
        return stripe.findAll(postRequestedFor(urlEqualTo(INTENTS)));
    }

    /** POSTs to /v1/payment_intents per Idempotency-Key. */
    public static Map<String, Long> postsByKey(WireMockServer stripe) {
        return intentPosts(stripe).stream()
                .collect(Collectors.groupingBy(r -> String.valueOf(r.getHeader("Idempotency-Key")),
                        Collectors.counting()));
    }

    public static long postsFor(WireMockServer stripe, String key) {
        return postsByKey(stripe).getOrDefault(key, 0L);
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_stub")
                .withBody(body)
                .withTransformers("response-template");
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
