package org.openparking.simulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stripe on WireMock, in this process, shaped like payment-worker's test stubs (StripeStubs): a
 * PaymentIntent whose id is derived from the Idempotency-Key, so the same key always gets the same
 * intent, as Stripe's idempotency does; {@value #DECLINED_CARD} is declined with a 402 card_error.
 * The request journal is the record of what Stripe was asked to charge.
 */
final class StripeStub implements AutoCloseable {
    static final String INTENTS = "/v1/payment_intents";
    static final String DECLINED_CARD = "pm_card_chargeDeclined";
    static final String GOOD_CARD = "pm_card_visa";

    private final WireMockServer server;

    StripeStub() {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(40).jettyAcceptors(2));
        server.start();
        server.stubFor(post(urlEqualTo(INTENTS)).atPriority(5).willReturn(json(200, intentJson("succeeded", null))));
        server.stubFor(post(urlEqualTo(INTENTS)).atPriority(1)
                .withRequestBody(containing("payment_method=" + DECLINED_CARD))
                .willReturn(declined("generic_decline")));
        server.stubFor(get(urlPathMatching(INTENTS + "/pi_.*")).willReturn(json(200, intentJson("succeeded", null)
                .replace("pi_{{request.headers.Idempotency-Key}}", "{{request.pathSegments.[2]}}")
                .replace("{{request.headers.Idempotency-Key}}", "retrieved"))));
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** What Stripe was asked and answered, by idempotency key and by session. */
    record Charges(long posts, long replays, Map<String, Integer> successfulPostsByKey,
                   Map<String, Set<String>> succeededKeysBySession, Set<String> declinedKeys) {
        Set<String> succeededKeys() {
            return successfulPostsByKey.keySet();
        }
    }

    Charges charges() {
        List<ServeEvent> events = server.getAllServeEvents();
        long posts = 0;
        Map<String, Integer> postsByKey = new HashMap<>();
        Map<String, Integer> successByKey = new HashMap<>();
        Map<String, Set<String>> bySession = new HashMap<>();
        Set<String> declined = new HashSet<>();
        for (ServeEvent e : events) {
            if (!"POST".equals(e.getRequest().getMethod().getName()) || !INTENTS.equals(e.getRequest().getUrl())) {
                continue;
            }
            posts++;
            String key = String.valueOf(e.getRequest().getHeader("Idempotency-Key"));
            postsByKey.merge(key, 1, Integer::sum);
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatus();
            if (status == 200) {
                successByKey.merge(key, 1, Integer::sum);
                String session = form(e.getRequest().getBodyAsString()).getOrDefault("metadata[session_id]", "?");
                bySession.computeIfAbsent(session, s -> new HashSet<>()).add(key);
            } else if (status == 402) {
                declined.add(key);
            }
        }
        long replays = postsByKey.values().stream().mapToLong(n -> n - 1).sum();
        return new Charges(posts, replays, successByKey, bySession, declined);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    private static String intentJson(String status, String lastPaymentError) {
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

    private static ResponseDefinitionBuilder declined(String declineCode) {
        String lastError = """
                {"type": "card_error", "code": "card_declined", "decline_code": "%s",
                 "message": "Your card was declined."}""".formatted(declineCode);
        String body = """
                {"error": {"type": "card_error", "code": "card_declined", "decline_code": "%s",
                  "message": "Your card was declined.", "charge": "ch_{{request.headers.Idempotency-Key}}",
                  "payment_intent": %s}}""".formatted(declineCode, intentJson("requires_payment_method", lastError));
        return json(402, body);
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_sim")
                .withBody(body)
                .withTransformers("response-template");
    }

    @Override
    public void close() {
        server.stop();
    }
}
