package org.openparking.payment;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.PaymentResult;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.StripeStubs;

/**
 * The packaged jar as a real process, killed with SIGKILL in the middle of Stripe calls (WireMock
 * answers after a delay, so calls are in flight) and before acks, several times, with duplicate
 * deliveries injected. At the end every payment has exactly one PaymentIntent (one idempotency
 * key, one intent id in every result), a PAID row, and none is lost.
 */
class WorkerProcessCrashIT extends WorkerTestBase {
    private static final int PAYMENTS = 30;
    private static final int KILLS = 3;

    private Process startJar(Path log) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("AMQP_URI", broker.uri());
        env.put("DB_URL", database.url());
        env.put("STRIPE_API_KEY", API_KEY);
        env.put("STRIPE_API_BASE", stripe.baseUrl());
        env.put("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
        env.put("SERVER_PORT", "0");
        env.put("WORKER_CONSUMERS", "3");
        env.put("WORKER_HOLD_DELAY", "PT0.1S");
        env.put("STRIPE_RETRY_INITIAL_BACKOFF", "PT0.02S");
        return JavaProcess.start(Path.of("target", "payment-worker.jar"), env, log, "-Xmx256m");
    }

    @Test
    void killedManyTimesMidFlightEveryPaymentIsChargedOnceAndNoneIsLost() throws Exception {
        stripe.stubFor(post(urlEqualTo(StripeStubs.INTENTS))
                .willReturn(StripeStubs.intent("succeeded").withFixedDelay(150)));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < PAYMENTS; i++) {
            String id = newPaymentId();
            ids.add(id);
            send(payment(id));
            if (i % 4 == 0) {
                send(payment(id));
            }
        }
        Path log = Path.of("target", "worker-process-crash-it.log");
        java.nio.file.Files.deleteIfExists(log);
        for (int kill = 0; kill < KILLS; kill++) {
            int before = StripeStubs.intentPosts(stripe).size();
            Process worker = startJar(log);
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> StripeStubs.intentPosts(stripe).size() >= before + 3 || !worker.isAlive());
            } finally {
                JavaProcess.kill9(worker);
            }
            if (kill % 2 == 1) {
                send(payment(ids.get(kill))); // a duplicate of an early, probably finished payment
            }
        }
        Process last = startJar(log);
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> ids.stream()
                    .allMatch(id -> !paymentResults(edgeResults, id).isEmpty()));
        } finally {
            JavaProcess.kill9(last);
        }

        Map<String, Long> posts = StripeStubs.postsByKey(stripe);
        assertThat("only our payment ids were used as keys", ids.containsAll(posts.keySet()), is(true));
        for (String id : ids) {
            Set<String> intents = paymentResults(edgeResults, id).stream().map(PaymentResult::providerReference)
                    .collect(Collectors.toSet());
            assertThat(id + " has one PaymentIntent", intents, is(Set.of("pi_" + id)));
            assertThat(paymentResults(edgeResults, id).stream().allMatch(r -> r.outcome()
                    == PaymentResult.Outcome.PAID), is(true));
            // Each delivery of a payment can reach Stripe at most once per crash, all with one key.
            assertThat(posts.getOrDefault(id, 0L), lessThanOrEqualTo((long) KILLS + 1));
        }
        try (var c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE status = 'PAID')"
                     + " FROM payment_results")) {
            rs.next();
            assertThat(rs.getLong(1), is((long) PAYMENTS));
            assertThat(rs.getLong(2), is((long) PAYMENTS));
        }
    }
}
