package org.openparking.payment.worker;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import java.util.List;

/**
 * Counters served at {@code /observe/metrics}: {@code payment_requests_total{outcome=...}} with
 * outcomes PAID, DECLINED, FAILED, PENDING, REPUBLISHED, HELD, DEAD_LETTERED, REFUNDED, REFUND_FAILED.
 */
public final class PaymentMetrics {
    /** Counts nothing (unit tests, benchmarks). */
    public static final PaymentMetrics NONE = new PaymentMetrics(null);

    private final MeterRegistry registry;

    public PaymentMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void count(String outcome) {
        if (registry == null) {
            return;
        }
        registry.getOrCreate(Counter.builder("payment_requests")
                .description("Payment and refund requests by how their processing ended")
                .tags(List.of(Tag.create("outcome", outcome))))
                .increment();
    }
}
