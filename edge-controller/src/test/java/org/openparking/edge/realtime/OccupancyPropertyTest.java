package org.openparking.edge.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.openparking.edge.ParkingException;
import org.openparking.edge.TestEdge;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.edge.occupancy.RampCounter;
import org.openparking.edge.occupancy.SpotTracker;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.session.SessionRepository;
import org.openparking.edge.store.EdgeDatabase;
import org.openparking.platform.jdbc.Database;
import org.openparking.edge.store.LevelSetup;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.firmware.RampDetector;
import org.openparking.protocol.CloseSessionElsewhere;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.VehicleType;

/**
 * For any sequence of sensor readings, gate entries and exits, sessions closed by another level's exit, and on
 * counting levels cars over the ramps, exits of tickets from another level and operator recounts, on a real
 * SQLite database through the real services: free is within [0, capacity] for every type, equals capacity
 * minus occupied, matches an independent model of the rules, drift never goes back, and the in-memory board
 * always equals what the database holds.
 */
class OccupancyPropertyTest {
    private static final List<VehicleType> TYPES = List.of(VehicleType.STANDARD, VehicleType.EV, VehicleType.COMPACT);

    sealed interface Action {
    }

    record Sensor(int spot, boolean occupied) implements Action {
    }

    record Enter(VehicleType type) implements Action {
    }

    record Exit(int nth) implements Action {
    }

    /** A car over the ramp that counts {@code type}: in or out (counting levels). */
    record Ramp(VehicleType type, RampDetector.Passage passage) implements Action {
    }

    /** A car with a ticket from another level of the lot leaves through this level's exit. */
    record ForeignExit(int serial) implements Action {
    }

    /** A car whose session opened here left through another level's exit: the cloud's close-session command. */
    record LeftElsewhere(int nth) implements Action {
    }

    /** A technician counted {@code occupied} cars of a type (clamped to the capacity by the test). */
    record Recount(VehicleType type, int occupied) implements Action {
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        return action().list().ofMaxSize(50);
    }

    private Arbitrary<Action> action() {
        // weighted towards cars moving, so sequences reach the edges: a full level, a car counted out over a
        // ramp whose session then closes at the gate, a recount below the open sessions
        return Arbitraries.frequencyOf(
                Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, 99), Arbitraries.of(true, false))
                        .as(Sensor::new)),
                Tuple.of(3, Arbitraries.of(VehicleType.STANDARD, VehicleType.EV, VehicleType.COMPACT)
                        .map(Enter::new)),
                Tuple.of(3, Arbitraries.integers().between(0, 99).map(Exit::new)),
                Tuple.of(4, Combinators.combine(Arbitraries.of(VehicleType.STANDARD, VehicleType.EV),
                        Arbitraries.of(RampDetector.Passage.class)).as(Ramp::new)),
                Tuple.of(1, Arbitraries.integers().between(0, 9999).map(ForeignExit::new)),
                Tuple.of(1, Arbitraries.integers().between(0, 99).map(LeftElsewhere::new)),
                Tuple.of(1, Combinators.combine(Arbitraries.of(VehicleType.STANDARD, VehicleType.EV),
                        Arbitraries.integers().between(0, 4)).as(Recount::new)));
    }

    @Property(tries = 100)
    void freeIsAlwaysWithinCapacityAndMatchesTheRules(@ForAll @IntRange(min = 1, max = 4) int standard,
                                                      @ForAll @IntRange(min = 0, max = 2) int ev,
                                                      @ForAll boolean sensors,
                                                      @ForAll("actions") List<Action> actions)
            throws IOException {
        Map<VehicleType, Integer> capacity = new EnumMap<>(VehicleType.class);
        capacity.put(VehicleType.STANDARD, standard);
        if (ev > 0) {
            capacity.put(VehicleType.EV, ev);
        }
        Path dir = Files.createTempDirectory("occupancy-property");
        // counting levels get a ramp counter per spot type they have
        List<EdgeSettings.Ramp> ramps = sensors ? List.of()
                : capacity.keySet().stream().map(t -> new EdgeSettings.Ramp("ramp-" + t, t)).toList();
        EdgeSettings settings = TestEdge.settings(dir, "lot-p", capacity,
                sensors ? EdgeSettings.OccupancyMode.SENSORS : EdgeSettings.OccupancyMode.COUNTING, Duration.ZERO,
                new EdgeSettings.Mqtt("", "unused", "", "", Duration.ofSeconds(10)), ramps);
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T08:00:00Z"), ZoneOffset.UTC);
        try (Database db = EdgeDatabase.open(TestEdge.sqlite(dir.resolve("edge.db")))) {
            TariffRepository tariffs = new TariffRepository();
            LevelSetup.apply(db, settings, tariffs, clock.instant());
            Outbox outbox = new Outbox(settings.lotId(), settings.levelId(), clock);
            LevelAvailability board = new LevelAvailability();
            Occupancy occupancy = new Occupancy(settings.occupancyMode(), settings.lotId(), settings.levelId(), outbox,
                    clock, board, io.helidon.metrics.api.Metrics.globalRegistry());
            board.publish(db.read(occupancy::start));
            SpotTracker spots = new SpotTracker(db, occupancy, board, clock);
            RampCounter rampCounter = new RampCounter(db, occupancy, board, clock, settings,
                    io.helidon.metrics.api.Metrics.globalRegistry());
            TicketSigner otherLevel = new TicketSigner(settings.lotId(), settings.ticketSecret());
            ParkingService parking = new ParkingService(db, settings,
                    new TicketSigner(settings.lotId(), settings.ticketSecret()), outbox, occupancy, board,
                    new SessionRepository(), tariffs, new PaymentRepository(), new PaymentResults(),
                    PaymentLink.offline(), clock);
            LevelCommands commands = new LevelCommands(db, outbox, occupancy, board, tariffs, Map.of(), Map.of(),
                    null, parking, java.time.Duration.ofMinutes(2), clock);
            Map<String, String> sessionOf = new HashMap<>(); // ticket -> session id

            Map<String, Boolean> sensorModel = new HashMap<>();
            // counting levels: cars beyond the open sessions, per type, as the rules move them
            Map<VehicleType, Integer> adjustment = new EnumMap<>(VehicleType.class);
            long drift = 0;
            List<Map.Entry<String, VehicleType>> open = new ArrayList<>(); // ticket -> spot type
            for (Action action : actions) {
                switch (action) {
                    case Sensor s -> {
                        if (sensors) {
                            EdgeSettings.Spot spot = settings.spots().get(s.spot() % settings.spots().size());
                            spots.update(spot.id(), s.occupied());
                            sensorModel.put(spot.id(), s.occupied());
                        }
                    }
                    case Enter e -> {
                        try {
                            ParkingService.Admission a = parking.admit("in-1", null, e.type());
                            open.add(Map.entry(a.ticket(), a.session().spotType()));
                            sessionOf.put(a.ticket(), a.session().sessionId());
                        } catch (ParkingException refused) {
                            assertThat(refused.code(), is("LEVEL_FULL"));
                            Availability now = board.current();
                            assertThat(freeOf(now, e.type()) == 0 && freeOf(now, VehicleType.STANDARD) == 0,
                                    is(true));
                        }
                    }
                    case Exit x -> {
                        if (!open.isEmpty()) {
                            var session = open.remove(x.nth() % open.size());
                            parking.depart("out-1", session.getKey(), null);
                        }
                    }
                    case LeftElsewhere l -> {
                        if (!open.isEmpty()) {
                            var session = open.remove(l.nth() % open.size());
                            commands.apply(Envelope.of("lot-p.L0", "lot-p", "L0", 1, clock.instant(),
                                    new CloseSessionElsewhere(sessionOf.get(session.getKey()), clock.instant(),
                                            "lot-p.L9", "L9")));
                            if (!sensors) {
                                // every counting level here has ramps: the ramp counted the car out, the
                                // close takes it back so the count is not moved twice
                                adjustment.merge(session.getValue(), 1, Integer::sum);
                            }
                        }
                    }
                    case Ramp r -> {
                        if (!sensors && capacity.containsKey(r.type())) {
                            rampCounter.passage("ramp-" + r.type(), r.passage());
                            if (r.passage() != RampDetector.Passage.TURNED_BACK) {
                                move(adjustment, r.type(), r.passage() == RampDetector.Passage.IN ? 1 : -1,
                                        capacity, open);
                            }
                        }
                    }
                    case ForeignExit f -> {
                        if (!sensors) {
                            String ticket = otherLevel.sign("L9-" + f.serial() + "-" + UUID.randomUUID(),
                                    clock.instant());
                            parking.depart("out-1", ticket, null);
                            move(adjustment, VehicleType.STANDARD, -1, capacity, open);
                        }
                    }
                    case Recount r -> {
                        int cap = capacity.getOrDefault(r.type(), 0);
                        if (!sensors && cap > 0) {
                            int n = Math.min(cap, r.occupied());
                            commands.recount(r.type(), n, "property test", "test");
                            adjustment.put(r.type(), n - (int) sessionsOf(open, r.type()));
                        }
                    }
                }
                check(settings, capacity, sensors, sensorModel, open, adjustment, board, db, occupancy);
                assertThat("drift never goes back", board.current().drift() >= drift, is(true));
                drift = board.current().drift();
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long sessionsOf(List<Map.Entry<String, VehicleType>> open, VehicleType t) {
        return open.stream().filter(s -> s.getValue() == t).count();
    }

    /** The model of {@link Occupancy#move}: from the count as shown, never outside [0, capacity]. */
    private static void move(Map<VehicleType, Integer> adjustment, VehicleType t, int delta,
                             Map<VehicleType, Integer> capacity, List<Map.Entry<String, VehicleType>> open) {
        int cap = capacity.getOrDefault(t, 0);
        int sessions = (int) sessionsOf(open, t);
        int shown = Math.max(0, Math.min(cap, sessions + adjustment.getOrDefault(t, 0)));
        int next = shown + delta;
        if (next >= 0 && next <= cap) {
            adjustment.put(t, next - sessions);
        }
    }

    private static int freeOf(Availability a, VehicleType t) {
        Availability.TypeCount c = a.byType().get(t);
        return c == null ? 0 : c.free();
    }

    private static void check(EdgeSettings settings, Map<VehicleType, Integer> capacity, boolean sensors,
                              Map<String, Boolean> sensorModel, List<Map.Entry<String, VehicleType>> open,
                              Map<VehicleType, Integer> adjustment, LevelAvailability board, Database db,
                              Occupancy occupancy) {
        Availability a = board.current();
        int totalFree = 0;
        int totalCapacity = 0;
        for (VehicleType t : TYPES) {
            int cap = capacity.getOrDefault(t, 0);
            if (cap == 0) {
                assertThat(a.byType().containsKey(t), is(false));
                continue;
            }
            Availability.TypeCount c = a.byType().get(t);
            assertThat(c.capacity(), is(cap));
            assertThat(t + " free " + c.free(), c.free() >= 0 && c.free() <= cap, is(true));
            long sessions = open.stream().filter(s -> s.getValue() == t).count();
            long parked = settings.spots().stream()
                    .filter(s -> s.type() == t && sensorModel.getOrDefault(s.id(), false)).count();
            long occupied = Math.max(0, Math.min(cap, sensors ? Math.max(sessions, parked)
                    : sessions + adjustment.getOrDefault(t, 0)));
            assertThat(t + " free", (long) c.free(), is(cap - occupied));
            totalFree += c.free();
            totalCapacity += cap;
        }
        assertThat(a.free(), is(totalFree));
        assertThat(a.capacity(), is(totalCapacity));
        assertThat(a.free(), is(a.capacity() - a.occupied()));
        assertThat(a.status(), is(a.free() == 0 ? Availability.Status.FULL : Availability.Status.OPEN));
        Availability stored = db.read(occupancy::load);
        assertThat("board equals the database", a.sameCountsAs(stored), is(true));
        assertThat(a.version(), is(stored.version()));
    }
}
