package org.openparking.edge.occupancy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.openparking.edge.ParkingException;
import org.openparking.edge.TestEdge;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.session.Session;
import org.openparking.edge.session.SessionRepository;
import org.openparking.edge.store.EdgeDatabase;
import org.openparking.edge.store.LevelSetup;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.platform.jdbc.Database;
import org.openparking.protocol.VehicleType;

/**
 * The occupancy counters (V20 triggers) under any sequence of entries, exits, exits of another level's
 * tickets, sensor readings, spot changes (the level reconfigured), transactions that die half-way followed by
 * a restart, and counters damaged outside the triggers followed by a restart, on a real SQLite file through
 * the real services: after every step the counters equal a full recount of spots and sessions, every shown
 * count is within [0, capacity], and damaged counters are repaired at start and reported as drift.
 */
class CounterPropertyTest {
    private static final List<VehicleType> TYPES = List.of(VehicleType.STANDARD, VehicleType.EV, VehicleType.COMPACT);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T08:00:00Z"), ZoneOffset.UTC);

    sealed interface Action {
    }

    record Enter(VehicleType type) implements Action {
    }

    record Exit(int nth) implements Action {
    }

    record ForeignExit() implements Action {
    }

    record Sensor(int spot, boolean occupied) implements Action {
    }

    /** The level restarts with another capacity per type: spots added, removed or retyped. */
    record Reconfigure(int standard, int ev, int compact) implements Action {
    }

    /** An entry's transaction dies after its inserts (as at a crash), then the level restarts. */
    record CrashMidEntry(VehicleType type) implements Action {
    }

    /** The counters are changed by hand (a file restored or edited), then the level restarts. */
    record Damage(VehicleType type, int by) implements Action {
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<VehicleType> type = Arbitraries.of(VehicleType.STANDARD, VehicleType.EV, VehicleType.COMPACT);
        return Arbitraries.<Action>frequencyOf(
                Tuple.of(5, type.map(t -> (Action) new Enter(t))),
                Tuple.of(4, Arbitraries.integers().between(0, 99).map(Exit::new)),
                Tuple.of(1, Arbitraries.just(new ForeignExit())),
                Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, 99), Arbitraries.of(true, false))
                        .as(Sensor::new)),
                Tuple.of(1, Combinators.combine(Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2))
                        .as(Reconfigure::new)),
                Tuple.of(1, type.map(CrashMidEntry::new)),
                Tuple.of(1, Combinators.combine(type, Arbitraries.of(-2, -1, 1, 3)).as(Damage::new)))
                .list().ofMaxSize(40);
    }

    @Property(tries = 60)
    void countersAlwaysEqualAFullRecountAndStayWithinCapacity(@ForAll boolean sensors,
                                                              @ForAll("actions") List<Action> actions)
            throws Exception {
        Path dir = Files.createTempDirectory("counter-property");
        Map<VehicleType, Integer> capacity = new EnumMap<>(Map.of(VehicleType.STANDARD, 3, VehicleType.EV, 1));
        Level level = new Level(dir, sensors, capacity);
        List<String> tickets = new ArrayList<>();
        try {
            for (Action action : actions) {
                switch (action) {
                    case Enter e -> {
                        try {
                            tickets.add(level.parking.admit("in-1", null, e.type()).ticket());
                        } catch (ParkingException full) {
                            assertThat(full.code(), is("LEVEL_FULL"));
                        }
                    }
                    case Exit x -> {
                        if (!tickets.isEmpty()) {
                            level.parking.depart("out-1", tickets.remove(x.nth() % tickets.size()), null);
                        }
                    }
                    case ForeignExit f -> level.parking.depart("out-1", new TicketSigner(level.settings.lotId(),
                            level.settings.ticketSecret()).sign("L9-" + UUID.randomUUID(), CLOCK.instant()), null);
                    case Sensor s -> {
                        if (sensors) {
                            List<EdgeSettings.Spot> spots = level.settings.spots();
                            level.spots.update(spots.get(s.spot() % spots.size()).id(), s.occupied());
                        }
                    }
                    case Reconfigure r -> {
                        capacity = new EnumMap<>(VehicleType.class);
                        capacity.put(VehicleType.STANDARD, r.standard());
                        if (r.ev() > 0) {
                            capacity.put(VehicleType.EV, r.ev());
                        }
                        if (r.compact() > 0) {
                            capacity.put(VehicleType.COMPACT, r.compact());
                        }
                        level.close();
                        level = new Level(dir, sensors, capacity);
                    }
                    case CrashMidEntry crash -> {
                        Map<VehicleType, int[]> before = level.counters();
                        try {
                            level.db.write(c -> {
                                new SessionRepository().insert(c, new Session(UUID.randomUUID().toString(), "in-1",
                                        null, crash.type(), crash.type(), CLOCK.instant(), 1, Session.Status.OPEN,
                                        null, null, null, null, null, null, false));
                                try (PreparedStatement ps = c.prepareStatement("UPDATE spots SET occupied = 1 - occupied")) {
                                    ps.executeUpdate();
                                }
                                throw new IllegalStateException("power cut");
                            });
                        } catch (IllegalStateException expected) {
                            assertThat(expected.getMessage(), is("power cut"));
                        }
                        level.close();
                        level = new Level(dir, sensors, capacity);
                        assertThat("a transaction that died moved no counter", same(level.counters(), before),
                                is(true));
                    }
                    case Damage d -> {
                        long driftBefore = level.board.current().drift();
                        boolean changed = level.db.write(c -> {
                            try (PreparedStatement ps = c.prepareStatement(
                                    "UPDATE type_counts SET open_sessions = open_sessions + ? WHERE vehicle_type = ?")) {
                                ps.setInt(1, d.by());
                                ps.setString(2, d.type().name());
                                return ps.executeUpdate() == 1;
                            }
                        });
                        level.close();
                        level = new Level(dir, sensors, capacity);
                        if (changed) {
                            assertThat("a repaired counter is reported as drift", level.board.current().drift(),
                                    greaterThan(driftBefore));
                            assertThat(level.lastDriftReason(), is("COUNTER_RECOUNT"));
                        }
                    }
                }
                level.check(capacity);
            }
        } finally {
            level.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean same(Map<VehicleType, int[]> a, Map<VehicleType, int[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.entrySet().stream().allMatch(e -> java.util.Arrays.equals(e.getValue(), b.get(e.getKey())));
    }

    /** One level's services on the SQLite file in {@code dir}, started as the edge starts them. */
    private static final class Level implements AutoCloseable {
        final EdgeSettings settings;
        final Database db;
        final Occupancy occupancy;
        final LevelAvailability board = new LevelAvailability();
        final ParkingService parking;
        final SpotTracker spots;

        Level(Path dir, boolean sensors, Map<VehicleType, Integer> capacity) throws IOException {
            settings = TestEdge.settings(dir, "lot-c", capacity,
                    sensors ? EdgeSettings.OccupancyMode.SENSORS : EdgeSettings.OccupancyMode.COUNTING, Duration.ZERO,
                    new EdgeSettings.Mqtt("", "unused", "", "", Duration.ofSeconds(10)));
            db = EdgeDatabase.open(TestEdge.sqlite(dir.resolve("edge.db")));
            TariffRepository tariffs = new TariffRepository();
            LevelSetup.apply(db, settings, tariffs, CLOCK.instant());
            Outbox outbox = new Outbox(settings.lotId(), settings.levelId(), CLOCK);
            occupancy = new Occupancy(settings.occupancyMode(), settings.lotId(), settings.levelId(), outbox, CLOCK,
                    board, io.helidon.metrics.api.Metrics.globalRegistry());
            board.publish(db.write(c -> {
                occupancy.start(c);
                return occupancy.announce(c);
            }));
            parking = new ParkingService(db, settings, new TicketSigner(settings.lotId(), settings.ticketSecret()),
                    outbox, occupancy, board, new SessionRepository(), tariffs, new PaymentRepository(),
                    new PaymentResults(), PaymentLink.offline(), CLOCK);
            spots = new SpotTracker(db, occupancy, board, CLOCK);
        }

        /** type -> {capacity, occupied sensors, open sessions entered here}, as the counters hold them. */
        Map<VehicleType, int[]> counters() {
            return db.read(c -> rows(c.prepareStatement(
                    "SELECT vehicle_type, capacity, sensors_occupied, open_sessions FROM type_counts")));
        }

        /** The same from a full scan, as the counters should hold them. */
        Map<VehicleType, int[]> recount() {
            return db.read(c -> rows(c.prepareStatement("""
                    SELECT t, SUM(cap), SUM(occ), SUM(open) FROM (
                        SELECT type AS t, 1 AS cap, occupied AS occ, 0 AS open FROM spots
                        UNION ALL
                        SELECT spot_type, 0, 0, 1 FROM sessions WHERE status = 'OPEN' AND\s""" + Session.ENTERED_HERE
                    + ") GROUP BY t")));
        }

        String lastDriftReason() {
            return db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT reason FROM drift ORDER BY id DESC LIMIT 1");
                     ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            });
        }

        void check(Map<VehicleType, Integer> capacity) {
            Map<VehicleType, int[]> counters = counters();
            Map<VehicleType, int[]> recount = recount();
            // a type no spot and no open session has any more may keep a row of zeros
            counters.values().removeIf(v -> v[0] == 0 && v[1] == 0 && v[2] == 0);
            assertThat("counters " + show(counters) + " equal the recount " + show(recount), same(counters, recount),
                    is(true));
            Availability a = board.current();
            for (VehicleType t : TYPES) {
                int cap = capacity.getOrDefault(t, 0);
                Availability.TypeCount count = a.byType().get(t);
                if (cap == 0) {
                    assertThat(count == null, is(true));
                    continue;
                }
                assertThat(count.capacity(), is(cap));
                assertThat(t + " free " + count.free() + " of " + cap, count.free() >= 0 && count.free() <= cap,
                        is(true));
            }
            assertThat("board equals the database", a.sameCountsAs(db.read(occupancy::load)), is(true));
        }

        private static Map<VehicleType, int[]> rows(PreparedStatement ps) throws java.sql.SQLException {
            Map<VehicleType, int[]> result = new EnumMap<>(VehicleType.class);
            try (ps; ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.put(VehicleType.valueOf(rs.getString(1)), new int[] {rs.getInt(2), rs.getInt(3), rs.getInt(4)});
                }
            }
            return result;
        }

        private static String show(Map<VehicleType, int[]> m) {
            Map<VehicleType, String> s = new TreeMap<>();
            m.forEach((k, v) -> s.put(k, java.util.Arrays.toString(v)));
            return s.toString();
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
