package org.openparking.edge.payment;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openparking.protocol.PaymentResult;

/** Where an exit waits for its payment result, and where the edge's queue consumer delivers it. */
public final class PaymentResults {
    private final Map<String, CompletableFuture<PaymentResult>> waiting = new ConcurrentHashMap<>();

    /** Registers interest before the request can possibly be answered. */
    public CompletableFuture<PaymentResult> expect(String paymentId) {
        return waiting.computeIfAbsent(paymentId, id -> new CompletableFuture<>());
    }

    /** Waits up to {@code timeout}; empty if no result came in time. */
    public Optional<PaymentResult> await(String paymentId, Duration timeout) {
        CompletableFuture<PaymentResult> f = expect(paymentId);
        try {
            return Optional.of(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        } finally {
            waiting.remove(paymentId, f);
        }
    }

    /** Called after the result was committed; wakes an exit still waiting for it. */
    public void deliver(PaymentResult result) {
        CompletableFuture<PaymentResult> f = waiting.get(result.paymentId());
        if (f != null) {
            f.complete(result);
        }
    }
}
