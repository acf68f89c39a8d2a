package org.openparking.edge.sync;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The relay's meters, on the registry the application passes in; removed again on close. */
final class RelayMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final Counter published;
    private final Timer confirmLatency;
    private final Gauge<Long> pending;

    RelayMetrics(MeterRegistry registry, String edgeId, Supplier<Long> pendingRows) {
        this.registry = registry;
        Iterable<Tag> tags = List.of(Tag.create("edge", edgeId));
        this.published = registry.getOrCreate(Counter.builder("edge.outbox.published").tags(tags)
                .description("outbox rows confirmed by the broker"));
        this.confirmLatency = registry.getOrCreate(Timer.builder("edge.outbox.confirm.latency").tags(tags)
                .description("time from publish to broker confirm")
                // Buckets, not client-side quantiles: quantiles cannot be aggregated and fail promtool's lint.
                .buckets(java.util.stream.Stream.of(5, 25, 100, 500, 2000, 10000)
                        .map(java.time.Duration::ofMillis).toArray(java.time.Duration[]::new))
                .percentiles(new double[0]));
        this.pending = registry.getOrCreate(Gauge.builder("edge.outbox.pending", pendingRows).tags(tags)
                .description("outbox rows not yet confirmed"));
    }

    /** A row the broker confirmed {@code nanos} after it was published. */
    void confirmed(long nanos) {
        confirmLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void published(int rows) {
        published.increment(rows);
    }

    @Override
    public void close() {
        registry.remove(published);
        registry.remove(confirmLatency);
        registry.remove(pending);
    }
}
