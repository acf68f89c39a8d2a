package org.openparking.edge.observe;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.lane.LaneDecisions;
import org.openparking.edge.lane.LaneView;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.sync.SyncStatus;
import org.openparking.firmware.BarrierState;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.VehicleType;

/**
 * The level's own meters at {@code /observe/metrics}, all tagged {@code lot} and {@code level}: lane
 * decisions (entries, exits, refusals by reason, fees, decision latency), barrier faults and states,
 * occupancy by vehicle type, outbox backlog and sync state (present also on an offline edge), SSE clients.
 * docs/operations.md lists them; the alert rules in ops/prometheus use them. Removed again on close, so
 * tests can start many levels in one JVM.
 */
public final class EdgeMeters implements LaneDecisions, AutoCloseable {
    /** Buckets of the decision latency: a gate should decide in well under a second, also on an SD card. */
    private static final Duration[] DECISION_BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final List<Tag> level;
    private final Set<Meter> meters = ConcurrentHashMap.newKeySet();
    private final Map<String, String> barrier = new ConcurrentHashMap<>();

    /** What the gauges read; every supplier must be cheap and must not throw while the level runs. */
    public record Sources(Supplier<Availability> availability, Supplier<SyncStatus> sync,
                          Supplier<PaymentLink.State> syncState, IntSupplier sseClients) {
    }

    public EdgeMeters(MeterRegistry registry, String lotId, String levelId, List<EdgeSettings.Lane> lanes,
                      Sources sources) {
        this.registry = registry;
        this.level = List.of(Tag.create("lot", lotId), Tag.create("level", levelId));
        for (VehicleType type : VehicleType.values()) {
            List<Tag> tags = tags("vehicle_type", type.name());
            gauge("edge.spots.capacity", "spots of this vehicle type on the level", tags,
                    () -> count(sources.availability().get(), type).capacity());
            gauge("edge.spots.occupied", "occupied spots of this vehicle type on the level", tags, () -> {
                Availability.TypeCount c = count(sources.availability().get(), type);
                return c.capacity() - c.free();
            });
        }
        gauge("edge.outbox.pending.rows", "outbox rows not yet confirmed by the cloud broker (0 on an offline edge"
                + " only when nothing waits)", level, () -> sources.sync().get().outboxPending());
        gauge("edge.outbox.oldest.pending.age.seconds", "age of the oldest unconfirmed outbox row, 0 when none",
                level, () -> sources.sync().get().oldestPendingAgeSeconds());
        for (PaymentLink.State state : PaymentLink.State.values()) {
            gauge("edge.sync.state", "1 for the sync state the level is in, 0 for the others",
                    tags("state", state.name()), () -> sources.syncState().get() == state ? 1 : 0);
        }
        gauge("edge.sse.clients", "connected availability stream (SSE) clients", level,
                () -> sources.sseClients().getAsInt());
        for (EdgeSettings.Lane lane : lanes) {
            barrier.put(lane.id(), BarrierState.CLOSED.name());
            for (BarrierState state : BarrierState.values()) {
                gauge("edge.lane.barrier.state", "1 for the state the lane's barrier is in, 0 for the others",
                        tags("lane", lane.id(), "state", state.name()),
                        () -> state.name().equals(barrier.get(lane.id())) ? 1 : 0);
            }
            // Present from the start, so an alert on increase() sees the first fault.
            counter("edge.barrier.faults", "times the lane's barrier went into FAULT", tags("lane", lane.id()));
        }
    }

    /** A lane controller's change listener: tracks the barrier state and counts each entry into FAULT. */
    public void lane(LaneView view) {
        String previous = barrier.put(view.laneId(), view.barrier());
        if (BarrierState.FAULT.name().equals(view.barrier()) && !BarrierState.FAULT.name().equals(previous)) {
            counter("edge.barrier.faults", "times the lane's barrier went into FAULT", tags("lane", view.laneId()))
                    .increment();
        }
    }

    @Override
    public void entered(String laneId, ParkingService.Admission admission, long nanos) {
        counter("edge.entries", "vehicles admitted", tags("lane", laneId,
                "vehicle_type", admission.session().vehicleType().name())).increment();
        decision(EdgeSettings.Direction.ENTRY, "admitted", nanos);
    }

    @Override
    public void exited(String laneId, ParkingService.Departure departure, long nanos) {
        counter("edge.exits", "exit decisions by payment status (PENDING: sent to the pay station)",
                tags("lane", laneId, "payment", departure.paymentStatus().name())).increment();
        if (departure.paymentStatus() == PaymentStatus.PAID && departure.fee() > 0) {
            fees("edge.fees.charged.minor", "fees of exits paid, in the currency's minor unit (cents)",
                    departure.currency()).increment(departure.fee());
        } else if (departure.paymentStatus() == PaymentStatus.DEFERRED) {
            fees("edge.fees.deferred.minor", "fees of exits let through with the payment deferred (offline),"
                    + " in the currency's minor unit", departure.currency()).increment(departure.fee());
        }
        decision(EdgeSettings.Direction.EXIT, departure.gateOpens() ? "released" : "held", nanos);
    }

    @Override
    public void refused(String laneId, EdgeSettings.Direction direction, String reason, long nanos) {
        counter("edge.refusals", "entries and exits refused, by the error code the terminal got",
                tags("lane", laneId, "direction", direction.name(), "reason", reason)).increment();
        decision(direction, "refused", nanos);
    }

    private void decision(EdgeSettings.Direction direction, String outcome, long nanos) {
        Timer timer = registry.getOrCreate(Timer.builder("edge.gate.decision")
                .description("time from an entry or exit request to the gate decision")
                .tags(tags("direction", direction.name(), "outcome", outcome))
                .buckets(DECISION_BUCKETS)
                .percentiles(new double[0]));
        remember(timer).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Counter fees(String name, String description, String currency) {
        return counter(name, description, tags("currency", currency));
    }

    private Counter counter(String name, String description, List<Tag> tags) {
        return remember(registry.getOrCreate(Counter.builder(name).description(description).tags(tags)));
    }

    private void gauge(String name, String description, List<Tag> tags, Supplier<Number> value) {
        remember(registry.getOrCreate(Gauge.builder(name, () -> value.get().doubleValue())
                .description(description).tags(tags)));
    }

    private <M extends Meter> M remember(M meter) {
        meters.add(meter);
        return meter;
    }

    private List<Tag> tags(String... keyValues) {
        List<Tag> tags = new ArrayList<>(level);
        for (int i = 0; i < keyValues.length; i += 2) {
            tags.add(Tag.create(keyValues[i], keyValues[i + 1]));
        }
        return tags;
    }

    private static Availability.TypeCount count(Availability a, VehicleType type) {
        return a.byType().getOrDefault(type, new Availability.TypeCount(0, 0));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
