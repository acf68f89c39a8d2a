package org.openparking.cloud.observe;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;

/**
 * Fleet-wide gauges from PostgreSQL and the broker, read on a timer so that a scrape never waits on a query:
 * per edge when it was last heard from, ingest lag and reported outbox backlog and sync state; per level capacity and
 * occupancy; per lot the unable-to-collect ledger; the dead-letter queue depth. A series appears with the first
 * refresh that sees its edge, level or lot and keeps its last value when a refresh fails (counted in
 * {@code cloud_sync_fleet_refresh_failures_total}, so an alert can tell stale from quiet).
 */
final class FleetGauges implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FleetGauges.class.getName());

    private final MeterRegistry registry;
    private final DataSource dataSource;
    private final LongSupplier deadLetters;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Map<String, Series> series = new ConcurrentHashMap<>();
    private final Counter failures;

    /** One gauge and the value the last refresh gave it. */
    private record Series(Gauge<Double> gauge, AtomicReference<Double> value) {
    }

    FleetGauges(MeterRegistry registry, DataSource dataSource, LongSupplier deadLetters, Clock clock,
                Duration refresh) {
        this.registry = registry;
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.failures = registry.getOrCreate(Counter.builder("cloud.sync.fleet.refresh.failures")
                .description("fleet gauge refreshes that failed (the gauges keep their previous values)"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-gauges");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            failures.increment();
            LOG.log(Level.WARNING, "fleet gauges not refreshed: " + e.getMessage());
        }
    }

    synchronized void refresh() {
        try {
            Jdbc.read(dataSource, c -> {
                Jdbc.query(c, """
                        SELECT edge_id, lot_id, level_id, last_seen, lag_seconds, outbox_pending,
                               oldest_pending_age_seconds, sync_state
                        FROM edges""", rs -> {
                    List<Tag> edge = tags("lot", rs.getString("lot_id"), "level", rs.getString("level_id"),
                            "edge", rs.getString("edge_id"));
                    Instant last = Jdbc.instant(rs.getTimestamp("last_seen"));
                    if (last != null) {
                        set("cloud.sync.edge.last.seen.timestamp.seconds", "when the edge was last heard from (an"
                                + " event or its status heartbeat), Unix time", edge, last.toEpochMilli() / 1000.0);
                    }
                    double lag = rs.getDouble("lag_seconds");
                    if (!rs.wasNull()) {
                        set("cloud.sync.edge.ingest.lag.seconds", "receive time minus occurrence time of the"
                                + " edge's newest event", edge, lag);
                    }
                    long pending = rs.getLong("outbox_pending");
                    if (!rs.wasNull()) {
                        set("cloud.sync.edge.outbox.pending.rows", "outbox rows the edge last reported as unsent",
                                edge, pending);
                        set("cloud.sync.edge.outbox.oldest.pending.age.seconds", "age of the oldest unsent outbox"
                                + " row the edge last reported", edge, rs.getLong("oldest_pending_age_seconds"));
                    }
                    String state = rs.getString("sync_state");
                    if (state != null) {
                        syncState(edge, state);
                    }
                    return null;
                });
                Jdbc.query(c, "SELECT lot_id, level_id, capacity, occupied FROM levels", rs -> {
                    List<Tag> level = tags("lot", rs.getString("lot_id"), "level", rs.getString("level_id"));
                    set("cloud.sync.level.capacity.spots", "spots of the level as last reported", level,
                            rs.getInt("capacity"));
                    set("cloud.sync.level.occupied.spots", "occupied spots of the level as last reported", level,
                            rs.getInt("occupied"));
                    return null;
                });
                // Every lot with an edge has the count, 0 included, so an alert on its growth sees the first one.
                Jdbc.query(c, """
                        SELECT l.lot_id, count(u.payment_id) AS payments
                        FROM (SELECT DISTINCT lot_id FROM edges) l LEFT JOIN unable_to_collect u ON u.lot_id = l.lot_id
                        GROUP BY l.lot_id""", rs -> {
                    set("cloud.sync.unable.to.collect.payments", "deferred payments that failed later and stay"
                            + " uncollected", tags("lot", rs.getString("lot_id")), rs.getLong("payments"));
                    return null;
                });
                Jdbc.query(c, """
                        SELECT lot_id, currency, sum(amount) AS amount FROM unable_to_collect
                        GROUP BY lot_id, currency""", rs -> {
                    set("cloud.sync.unable.to.collect.minor", "amount of the uncollected payments in the currency's"
                            + " minor unit (cents)", tags("lot", rs.getString("lot_id"), "currency",
                            rs.getString("currency")), rs.getLong("amount"));
                    return null;
                });
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + e.getMessage(), e);
        }
        set("cloud.sync.dead.letter.messages", "messages waiting in parking.dead for an operator", List.of(),
                deadLetters.getAsLong());
    }

    /** 1 for the state the edge last reported, 0 for every other state seen on it. */
    private void syncState(List<Tag> edge, String state) {
        String edgeKey = edge.toString();
        String prefix = "cloud.sync.edge.sync.state" + edgeKey.substring(0, edgeKey.length() - 1) + ",";
        series.forEach((key, s) -> {
            if (key.startsWith(prefix)) {
                s.value().set(0.0);
            }
        });
        List<Tag> tags = new ArrayList<>(edge);
        tags.add(Tag.create("state", state));
        set("cloud.sync.edge.sync.state", "1 for the sync state the edge last reported, 0 for earlier ones", tags, 1);
    }

    private void set(String name, String description, List<Tag> tags, double value) {
        series.computeIfAbsent(name + tags, k -> {
            AtomicReference<Double> v = new AtomicReference<>(value);
            return new Series(registry.getOrCreate(Gauge.builder(name, () -> v.get()).description(description)
                    .tags(tags)), v);
        }).value().set(value);
    }

    private static List<Tag> tags(String... keyValues) {
        List<Tag> tags = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            tags.add(Tag.create(keyValues[i], keyValues[i + 1]));
        }
        return tags;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        series.values().forEach(s -> registry.remove(s.gauge()));
        series.clear();
        registry.remove(failures);
    }
}
