package org.openparking.payment;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.openparking.testing.StripeStubs.intent;
import static org.openparking.testing.StripeStubs.intentPosts;
import static org.openparking.testing.StripeStubs.postsByKey;
import static org.openparking.testing.StripeStubs.postsFor;
import static org.openparking.testing.StripeStubs.stubIntents;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.openparking.payment.worker.CrashPoints;
import org.openparking.protocol.PaymentResult;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.StripeStubs;

/** Crashes, competing workers, and Stripe outages: every payment charged once, none lost. */
class ExactlyOnceTest extends WorkerTestBase {

    /** Crashes the worker once at the chosen point: aborts its broker connection, then throws. */
    private static final class CrashOnce implements CrashPoints {
        final AtomicReference<PaymentApplication> app = new AtomicReference<>();
        final AtomicBoolean crashed = new AtomicBoolean();
        final boolean afterStore;

        CrashOnce(boolean afterStore) {
            this.afterStore = afterStore;
        }

        @Override
        public void afterProviderCall(String paymentId) {
            if (!afterStore) {
                crash();
            }
        }

        @Override
        public void afterStore(String paymentId) {
            if (afterStore) {
                crash();
            }
        }

        private void crash() {
            if (crashed.compareAndSet(false, true)) {
                app.get().worker().abortConnection();
                throw new IllegalStateException("simulated crash");
            }
        }
    }

    @Test
    void crashBetweenStripeAndStoreIsChargedAgainWithTheSameKeyAndPaidOnce() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        CrashOnce crash = new CrashOnce(false);
        crash.app.set(startWorker(settings(1), crash));
        String id = newPaymentId();
        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).untilTrue(crash.crashed);
        assertThat("the crash rolled the claim back", storedStatus(id), is((String) null));

        startWorker();
        await().atMost(Duration.ofSeconds(30)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        // Stripe saw the same key twice, and (being idempotent) created one PaymentIntent.
        assertThat(postsByKey(stripe), is(Map.of(id, 2L)));
        assertThat(paymentResults(edgeResults, id).stream().map(PaymentResult::providerReference).distinct()
                .toList(), contains("pi_" + id));
        assertThat(storedStatus(id), is("PAID"));
    }

    @Test
    void crashAfterStoreBeforeAckRepublishesWithoutCallingStripeAgain() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        CrashOnce crash = new CrashOnce(true);
        crash.app.set(startWorker(settings(1), crash));
        String id = newPaymentId();
        send(payment(id));
        await().atMost(Duration.ofSeconds(20)).untilTrue(crash.crashed);
        assertThat(storedStatus(id), is("PAID"));
        assertThat(paymentResults(edgeResults, id), is(empty()));

        startWorker();
        await().atMost(Duration.ofSeconds(30)).until(() -> !paymentResults(edgeResults, id).isEmpty());
        assertThat(postsFor(stripe, id), is(1L));
        assertThat(paymentResults(edgeResults, id).getFirst().outcome(), is(PaymentResult.Outcome.PAID));
    }

    @Test
    void twoWorkersInParallelWithDuplicatesChargeEachPaymentOnce() throws Exception {
        stubIntents(stripe, intent("succeeded"));
        startWorker(settings(2), CrashPoints.NONE);
        startWorker(settings(2), CrashPoints.NONE);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = newPaymentId();
            ids.add(id);
            send(payment(id));
            if (i % 3 == 0) {
                send(payment(id)); // a duplicate delivery, racing the first on the other worker
            }
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                .allMatch(id -> !paymentResults(edgeResults, id).isEmpty()));
        await().atMost(Duration.ofSeconds(20)).until(() -> ready(Topology.PAYMENTS_QUEUE) == 0);
        Map<String, Long> byKey = postsByKey(stripe);
        assertThat(byKey.keySet(), is(Set.copyOf(ids)));
        assertThat(byKey.values(), everyItem(is(1L)));
        for (String id : ids) {
            assertThat(storedStatus(id), is("PAID"));
        }
    }

    @Test
    void openBreakerHoldsRequestsAndChargesThemWhenStripeRecovers() throws Exception {
        stubIntents(stripe, StripeStubs.error(500, "api_error", null, null, "An unknown error occurred"));
        PaymentApplication app = startWorker(settings(2), CrashPoints.NONE);
        List<String> ids = List.of(newPaymentId(), newPaymentId(), newPaymentId());
        for (String id : ids) {
            send(payment(id));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> app.gateway().breakerState() == CircuitBreaker.State.OPEN);
        int whileOpen = intentPosts(stripe).size();
        assertThat(edgeResults, is(empty()));
        assertThat("held requests are not dead-lettered", ids.stream()
                .allMatch(id -> {
                    try {
                        return storedStatus(id) == null;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }), is(true));

        stubIntents(stripe, intent("succeeded"));
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream()
                .allMatch(id -> !paymentResults(edgeResults, id).isEmpty()));
        for (String id : ids) {
            assertThat(paymentResults(edgeResults, id).getFirst().outcome(), is(PaymentResult.Outcome.PAID));
        }
        assertThat(intentPosts(stripe).size() > whileOpen, is(true));
    }
}
