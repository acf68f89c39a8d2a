package org.openparking.edge.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.openparking.edge.ParkingException;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.edge.occupancy.SpotTracker;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.session.SessionRepository;
import org.openparking.edge.store.Database;
import org.openparking.edge.store.LevelSetup;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.protocol.VehicleType;

/**
 * For any sequence of sensor readings, gate entries and exits, on a real SQLite database through the real
 * services: free is within [0, capacity] for every type, equals capacity minus occupied, matches an
 * independent model of the rules, and the in-memory board always equals what the database holds.
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

    @Provide
    Arbitrary<List<Action>> actions() {
        return action().list().ofMaxSize(40);
    }

    private Arbitrary<Action> action() {
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers().between(0, 99), Arbitraries.of(true, false))
                        .as(Sensor::new),
                Arbitraries.of(VehicleType.STANDARD, VehicleType.EV, VehicleType.COMPACT).map(Enter::new),
                Arbitraries.integers().between(0, 99).map(Exit::new));
    }

    @Property(tries = 40)
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
        EdgeSettings settings = LiveEdge.settings(dir, LiveEdge.Options.sensors(capacity)
                .mode(sensors ? EdgeSettings.OccupancyMode.SENSORS : EdgeSettings.OccupancyMode.COUNTING));
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T08:00:00Z"), ZoneOffset.UTC);
        try (Database db = Database.open(dir.resolve("edge.db"))) {
            TariffRepository tariffs = new TariffRepository();
            LevelSetup.apply(db, settings, tariffs, clock.instant());
            Outbox outbox = new Outbox(settings.lotId(), settings.levelId(), clock);
            LevelAvailability board = new LevelAvailability();
            Occupancy occupancy = new Occupancy(settings.occupancyMode(), settings.lotId(), settings.levelId(), outbox,
                    clock, board);
            board.publish(db.read(occupancy::start));
            SpotTracker spots = new SpotTracker(db, occupancy, board, clock);
            ParkingService parking = new ParkingService(db, settings,
                    new TicketSigner(settings.lotId(), settings.ticketSecret()), outbox, occupancy, board,
                    new SessionRepository(), tariffs, new PaymentRepository(), new PaymentResults(),
                    PaymentLink.offline(), clock);

            Map<String, Boolean> sensorModel = new HashMap<>();
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
                }
                check(settings, capacity, sensors, sensorModel, open, board, db, occupancy);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int freeOf(Availability a, VehicleType t) {
        Availability.TypeCount c = a.byType().get(t);
        return c == null ? 0 : c.free();
    }

    private static void check(EdgeSettings settings, Map<VehicleType, Integer> capacity, boolean sensors,
                              Map<String, Boolean> sensorModel, List<Map.Entry<String, VehicleType>> open,
                              LevelAvailability board, Database db, Occupancy occupancy) {
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
            long occupied = Math.min(cap, sensors ? Math.max(sessions, parked) : sessions);
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
