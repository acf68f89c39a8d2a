package org.openparking.simulator;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openparking.testing.StripeStubs;

/**
 * Stripe on WireMock, in this process, answering with payment-worker's test stubs ({@link StripeStubs}): a
 * PaymentIntent whose id is derived from the Idempotency-Key, so the same key always gets the same
 * intent, as Stripe's idempotency does; {@value #DECLINED_CARD} is declined with a 402 card_error.
 * The request journal is the record of what Stripe was asked to charge.
 */
final class StripeStub implements AutoCloseable {
    private static final String INTENTS = StripeStubs.INTENTS;
    static final String DECLINED_CARD = "pm_card_chargeDeclined";
    static final String GOOD_CARD = "pm_card_visa";

    private final WireMockServer server;

    StripeStub() {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(40).jettyAcceptors(2));
        server.start();
        server.stubFor(post(urlEqualTo(INTENTS)).atPriority(5).willReturn(StripeStubs.intent("succeeded")));
        server.stubFor(post(urlEqualTo(INTENTS)).atPriority(1)
                .withRequestBody(containing("payment_method=" + DECLINED_CARD))
                .willReturn(StripeStubs.declined("generic_decline")));
        server.stubFor(get(urlPathMatching(INTENTS + "/pi_.*")).willReturn(StripeStubs.retrieved("succeeded")));
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

    @Override
    public void close() {
        server.stop();
    }
}
