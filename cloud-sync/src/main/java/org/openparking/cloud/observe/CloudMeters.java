package org.openparking.cloud.observe;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import javax.sql.DataSource;
import org.openparking.cloud.ingest.IngestStats;

/**
 * cloud-sync's meters at {@code /observe/metrics}: ingest counters, portal SSE clients, and the fleet gauges
 * ({@link FleetGauges}) read from PostgreSQL every {@code fleet.metrics-refresh}. docs/operations.md lists
 * them. Removed again on close, so tests can start cloud-sync more than once in a JVM.
 */
public final class CloudMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final FleetGauges fleet;

    public CloudMeters(MeterRegistry registry, IngestStats stats, IntSupplier sseClients, DataSource dataSource,
                       LongSupplier deadLetters, Clock clock, Duration refresh) {
        this.registry = registry;
        counter("cloud.sync.events.applied", "edge and payment events applied (committed and acked)", stats,
                IngestStats::appliedCount);
        counter("cloud.sync.events.duplicate", "deliveries already applied (inbox hit): acked, not applied again",
                stats, IngestStats::duplicateCount);
        counter("cloud.sync.events.dead.lettered", "poison events sent to parking.dlx by this process", stats,
                IngestStats::deadLetteredCount);
        counter("cloud.sync.events.requeued", "deliveries handed back because PostgreSQL could not take them",
                stats, IngestStats::requeuedCount);
        meters.add(registry.getOrCreate(Gauge.builder("cloud.sync.sse.clients", () -> (double) sseClients.getAsInt())
                .description("connected portal availability stream (SSE) clients")));
        this.fleet = new FleetGauges(registry, dataSource, deadLetters, clock, refresh);
    }

    private void counter(String name, String description, IngestStats stats, ToLongFunction<IngestStats> value) {
        // A restarted instance in the same JVM replaces the old one's (the function is bound to its stats).
        registry.remove(name, List.of());
        meters.add(registry.getOrCreate(FunctionalCounter.builder(name, stats, value::applyAsLong)
                .description(description)));
    }

    /** Reads the fleet gauges now (tests; the timer does it every {@code fleet.metrics-refresh}). */
    public void refresh() {
        fleet.refresh();
    }

    @Override
    public void close() {
        fleet.close();
        meters.forEach(registry::remove);
    }
}
