package org.openparking.edge.occupancy;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.logging.Logger;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.session.Session;
import org.openparking.protocol.DriftRecorded;
import org.openparking.protocol.VehicleType;

/**
 * Computes a level's occupancy inside a write transaction. Counting levels count open sessions per spot type
 * plus a stored adjustment that ramp counters, exits of tickets issued on another level and operator recounts
 * move ({@link #move}, {@link #recount}); sensor levels take, per type, the larger of open sessions and occupied
 * sensors (a car that entered holds a space before it parks). Counts are clamped to [0, capacity]. Drift is
 * recorded (table, outbox, the availability's {@code drift}, metric {@code occupancy.drift}) once when it starts:
 * a count that had to be clamped ({@code CLAMPED_HIGH}, {@code CLAMPED_LOW}), and on sensor levels more
 * occupied sensors than open sessions of a type ({@code SENSOR_SESSION_MISMATCH}: a car parked that no gate
 * admitted). Fewer sensors than sessions is normal while a car drives to its spot and is not drift. A movement
 * that would take a counting level outside [0, capacity] (a car counted out of an empty level) is not applied
 * and is recorded as a clamp each time. CLOSED (an operator's decision) wins over FULL (a count).
 */
public final class Occupancy {
    private static final Logger LOG = Logger.getLogger(Occupancy.class.getName());

    private final EdgeSettings.OccupancyMode mode;
    private final String lotId;
    private final String levelId;
    private final Outbox outbox;
    private final Clock clock;
    /** Unclamped counts of the last computation, to record a clamp once when it starts, not on every change. */
    private final Map<VehicleType, Integer> lastRaw = new EnumMap<>(VehicleType.class);
    /** Occupied sensors minus open sessions per type at the last computation (sensor levels). */
    private final Map<VehicleType, Integer> lastExcess = new EnumMap<>(VehicleType.class);
    /**
     * The last snapshot this instance computed, under the write lock. Compared with the next one instead of the
     * board, which is published only after commit and may still hold an older version; valid only while its
     * version is the stored one (a rolled-back transaction leaves it ahead).
     */
    private Availability last;

    /**
     * {@code board} backs the drift metric: it holds the committed snapshot, so a drift recorded in a
     * transaction that rolls back is never counted. Changes are detected against this instance's own last
     * snapshot, not the board.
     */
    public Occupancy(EdgeSettings.OccupancyMode mode, String lotId, String levelId, Outbox outbox, Clock clock,
                     LevelAvailability board, MeterRegistry registry) {
        this.mode = mode;
        this.lotId = lotId;
        this.levelId = levelId;
        this.outbox = outbox;
        this.clock = clock;
        Iterable<Tag> tags = Metrics.tags("lot", lotId, "level", levelId);
        // one level per process; a test that starts the same level again replaces the old one's meter
        registry.remove("occupancy.drift", tags);
        registry.getOrCreate(FunctionalCounter.builder("occupancy.drift", board,
                        (LevelAvailability b) -> b.current() == null ? 0L : b.current().drift())
                .description("disagreements between sessions and sensors or ramps, clamps into [0, capacity] and"
                        + " recounts, as committed")
                .tags(tags));
    }

    /**
     * Per-type counts as they are now in the transaction, from the counters the V20 triggers keep with every
     * change of spots and sessions: a few rows, whatever the size of the level or its history.
     */
    public Counts counts(Connection c) throws SQLException {
        Map<VehicleType, Integer> capacity = new EnumMap<>(VehicleType.class);
        Map<VehicleType, Integer> sessions = new EnumMap<>(VehicleType.class);
        Map<VehicleType, Integer> sensors = new EnumMap<>(VehicleType.class);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT vehicle_type, capacity, sensors_occupied, open_sessions FROM type_counts WHERE capacity > 0");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                VehicleType t = VehicleType.valueOf(rs.getString(1));
                capacity.put(t, rs.getInt(2));
                sensors.put(t, rs.getInt(3));
                sessions.put(t, rs.getInt(4));
            }
        }
        Map<VehicleType, Integer> adjustments = mode == EdgeSettings.OccupancyMode.COUNTING
                ? grouped(c, "SELECT vehicle_type, net FROM count_adjustments")
                : Map.of();
        return combine(capacity, sessions, sensors, adjustments);
    }

    private Counts combine(Map<VehicleType, Integer> capacity, Map<VehicleType, Integer> sessions,
                           Map<VehicleType, Integer> sensors, Map<VehicleType, Integer> adjustments) {
        Map<VehicleType, Integer> raw = new EnumMap<>(VehicleType.class);
        Map<VehicleType, Integer> excess = new EnumMap<>(VehicleType.class);
        for (VehicleType t : capacity.keySet()) {
            int open = sessions.getOrDefault(t, 0);
            if (mode == EdgeSettings.OccupancyMode.SENSORS) {
                int occupiedSensors = sensors.getOrDefault(t, 0);
                raw.put(t, Math.max(open, occupiedSensors));
                excess.put(t, occupiedSensors - open);
            } else {
                raw.put(t, open + adjustments.getOrDefault(t, 0));
            }
        }
        return new Counts(capacity, raw, excess, adjustments);
    }

    /**
     * Compares the counters with a full recount and, where they differ (a file restored or edited by hand
     * outside the triggers), sets them to the recount and records drift {@code COUNTER_RECOUNT} per type
     * (expected: the counter, observed: the recount). Returns how many types were corrected. The only scan
     * of spots and sessions; called at start, before anything reads the counters.
     */
    public int verifyCounters(Connection c) throws SQLException {
        Map<VehicleType, int[]> stored = new EnumMap<>(VehicleType.class);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT vehicle_type, capacity, sensors_occupied, open_sessions FROM type_counts");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                stored.put(VehicleType.valueOf(rs.getString(1)), new int[] {rs.getInt(2), rs.getInt(3), rs.getInt(4)});
            }
        }
        Map<VehicleType, int[]> actual = new EnumMap<>(VehicleType.class);
        try (PreparedStatement ps = c.prepareStatement("SELECT type, COUNT(*), SUM(occupied) FROM spots GROUP BY type");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                actual.put(VehicleType.valueOf(rs.getString(1)), new int[] {rs.getInt(2), rs.getInt(3), 0});
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT spot_type, COUNT(*) FROM sessions WHERE status = 'OPEN'"
                + " AND " + Session.ENTERED_HERE + " GROUP BY spot_type");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                actual.computeIfAbsent(VehicleType.valueOf(rs.getString(1)), t -> new int[3])[2] = rs.getInt(2);
            }
        }
        int corrected = 0;
        java.util.Set<VehicleType> types = java.util.EnumSet.noneOf(VehicleType.class);
        types.addAll(stored.keySet());
        types.addAll(actual.keySet());
        for (VehicleType t : types) {
            int[] s = stored.getOrDefault(t, new int[3]);
            int[] a = actual.getOrDefault(t, new int[3]);
            if (java.util.Arrays.equals(s, a)) {
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO type_counts (vehicle_type, capacity, sensors_occupied, open_sessions) VALUES (?, ?, ?, ?)
                    ON CONFLICT (vehicle_type) DO UPDATE SET capacity = excluded.capacity,
                        sensors_occupied = excluded.sensors_occupied, open_sessions = excluded.open_sessions""")) {
                ps.setString(1, t.name());
                ps.setInt(2, a[0]);
                ps.setInt(3, a[1]);
                ps.setInt(4, a[2]);
                ps.executeUpdate();
            }
            // the figure that decides entries: open sessions on a counting level, occupied sensors on a sensor one
            int which = mode == EdgeSettings.OccupancyMode.SENSORS && s[1] != a[1] ? 1 : s[2] != a[2] ? 2 : 0;
            recordDrift(c, t, "COUNTER_RECOUNT", s[which], a[which]);
            corrected++;
        }
        return corrected;
    }

    /**
     * Recomputes availability; if it changed, bumps the version and appends {@code availability.changed}
     * to the outbox. Returns the snapshot to publish after commit.
     */
    public Availability refresh(Connection c) throws SQLException {
        Counts counts = counts(c);
        for (Map.Entry<VehicleType, Integer> e : counts.raw().entrySet()) {
            VehicleType t = e.getKey();
            int raw = e.getValue();
            int cap = counts.capacity().getOrDefault(t, 0);
            int before = lastRaw.getOrDefault(t, 0);
            if (raw > cap && before <= cap) {
                recordDrift(c, t, "CLAMPED_HIGH", cap, raw);
            } else if (raw < 0 && before >= 0) {
                recordDrift(c, t, "CLAMPED_LOW", 0, raw);
            }
            lastRaw.put(t, raw);
        }
        for (Map.Entry<VehicleType, Integer> e : counts.sensorExcess().entrySet()) {
            int excess = e.getValue();
            if (excess > 0 && lastExcess.getOrDefault(e.getKey(), 0) <= 0) {
                int sensors = counts.raw().getOrDefault(e.getKey(), 0);
                recordDrift(c, e.getKey(), "SENSOR_SESSION_MISMATCH", sensors - excess, sensors);
            }
            lastExcess.put(e.getKey(), excess);
        }
        Availability next = snapshot(c, counts, 0);
        Availability current = last != null && last.version() == storedVersion(c) ? last : null;
        if (next.sameCountsAs(current)) {
            return current;
        }
        long version = bumpVersion(c);
        next = snapshot(c, counts, version);
        outbox.append(c, next.toEvent());
        last = next;
        return next;
    }

    /**
     * A car of {@code type} came onto ({@code delta} 1) or left ({@code -1}) a counting level other than through
     * its gates' sessions: a ramp passage, or the exit of a ticket issued on another level. Moves the stored
     * adjustment from the occupancy as shown (a count below zero or above capacity is first taken as the
     * clamped value, so one lost passage does not hide every later one). A movement that would leave
     * [0, capacity] is not applied and is recorded as drift. Call {@link #refresh} afterwards in the same
     * transaction. Returns whether it was applied.
     */
    public boolean move(Connection c, VehicleType type, int delta, String cause) throws SQLException {
        if (delta != 1 && delta != -1) {
            throw new IllegalArgumentException("a movement is one car in or out, was " + delta);
        }
        if (mode != EdgeSettings.OccupancyMode.COUNTING) {
            throw new IllegalStateException("only a counting level counts movements; sensors decide on this one");
        }
        Counts counts = counts(c);
        int cap = counts.capacity().getOrDefault(type, 0);
        int next = counts.occupied(type) + delta;
        if (next > cap || next < 0) {
            LOG.warning(() -> cause + " would take " + type + " on " + lotId + "/" + levelId + " to " + next
                    + " of " + cap + ": not counted");
            recordDrift(c, type, next > cap ? "CLAMPED_HIGH" : "CLAMPED_LOW", next > cap ? cap : 0, next);
            return false;
        }
        setAdjustment(c, type, next - counts.openSessions(type));
        return true;
    }

    /**
     * A session of {@code type} on a counting level with ramp counters closed at another level's exit: the car
     * drove down a ramp, which counted it out already, so closing its session must not count it out again. Takes
     * the car back into the adjustment, leaving the unclamped count as it was. Call before or after closing the
     * session, then {@link #refresh} in the same transaction.
     */
    public void sessionClosedElsewhere(Connection c, VehicleType type) throws SQLException {
        if (mode != EdgeSettings.OccupancyMode.COUNTING) {
            throw new IllegalStateException("only a counting level has ramp counters");
        }
        setAdjustment(c, type, adjustment(c, type) + 1);
    }

    /**
     * An operator counted the cars of {@code type} on a counting level: from now on the level shows that
     * many, and the difference to what it showed is recorded as drift ({@code MANUAL_RECOUNT}). Call
     * {@link #refresh} afterwards in the same transaction. Returns what the level showed before.
     *
     * @throws IllegalStateException    on a sensor level
     * @throws IllegalArgumentException if {@code occupied} is outside [0, capacity of the type]
     */
    public int recount(Connection c, VehicleType type, int occupied) throws SQLException {
        if (mode != EdgeSettings.OccupancyMode.COUNTING) {
            throw new IllegalStateException("only a counting level can be recounted; sensors decide on this one");
        }
        Counts counts = counts(c);
        int cap = counts.capacity().getOrDefault(type, 0);
        if (cap == 0 || occupied < 0 || occupied > cap) {
            throw new IllegalArgumentException(cap == 0 ? "the level has no " + type + " spots"
                    : "occupied " + type + " must be within [0, " + cap + "], was " + occupied);
        }
        int shown = counts.occupied(type);
        setAdjustment(c, type, occupied - counts.openSessions(type));
        if (shown != occupied) {
            recordDrift(c, type, "MANUAL_RECOUNT", shown, occupied);
        }
        return shown;
    }

    private static int adjustment(Connection c, VehicleType type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT net FROM count_adjustments WHERE vehicle_type = ?")) {
            ps.setString(1, type.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private static void setAdjustment(Connection c, VehicleType type, int net) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO count_adjustments (vehicle_type, net) VALUES (?, ?)
                ON CONFLICT (vehicle_type) DO UPDATE SET net = excluded.net""")) {
            ps.setString(1, type.name());
            ps.setInt(2, net);
            ps.executeUpdate();
        }
    }

    /** The snapshot as stored, without changing anything: what a level shows right after start-up. */
    public Availability load(Connection c) throws SQLException {
        Counts counts = counts(c);
        return snapshot(c, counts, storedVersion(c));
    }

    /**
     * Checks the counters against a full recount ({@link #verifyCounters}, which writes only when they differ),
     * loads the stored snapshot and remembers it as the baseline for drift and change detection: called once
     * at start-up, before anything else writes.
     */
    public Availability start(Connection c) throws SQLException {
        verifyCounters(c);
        Counts counts = counts(c);
        lastRaw.putAll(counts.raw());
        lastExcess.putAll(counts.sensorExcess());
        last = snapshot(c, counts, storedVersion(c));
        return last;
    }

    /**
     * Announces the level as it is now under a new version, with an {@code availability.changed} event:
     * called once at start-up, after {@link #start}, so the cloud learns of a new level, or of a level whose
     * layout changed while it was down, without waiting for the first car.
     */
    public Availability announce(Connection c) throws SQLException {
        Counts counts = counts(c);
        long version = bumpVersion(c);
        Availability next = snapshot(c, counts, version);
        outbox.append(c, next.toEvent());
        last = next;
        return next;
    }

    /** The availability version as committed; cheap, for a heartbeat that checks the snapshot is current. */
    public static long storedVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT availability_version FROM level_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Records a disagreement between bookkeeping and hardware (also used by sensor handling). */
    public void recordDrift(Connection c, VehicleType type, String reason, int expected, int observed)
            throws SQLException {
        LOG.warning(() -> "occupancy drift on " + lotId + "/" + levelId + ": " + type + " " + reason
                + " expected " + expected + ", observed " + observed);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO drift (at, vehicle_type, reason, expected, observed) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, clock.instant().toString());
            ps.setString(2, type.name());
            ps.setString(3, reason);
            ps.setInt(4, expected);
            ps.setInt(5, observed);
            ps.executeUpdate();
        }
        outbox.append(c, new DriftRecorded(type, reason, expected, observed));
    }

    private Availability snapshot(Connection c, Counts counts, long version) throws SQLException {
        Map<VehicleType, Availability.TypeCount> byType = new EnumMap<>(VehicleType.class);
        int capacity = 0;
        int occupied = 0;
        for (Map.Entry<VehicleType, Integer> e : counts.capacity().entrySet()) {
            int cap = e.getValue();
            int occ = counts.occupied(e.getKey());
            byType.put(e.getKey(), new Availability.TypeCount(cap, cap - occ));
            capacity += cap;
            occupied += occ;
        }
        boolean closed;
        long drift;
        // drift_count: kept by a trigger on drift, so the figure costs one row however long the history
        try (PreparedStatement ps = c.prepareStatement("SELECT closed, drift_count FROM level_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            boolean found = rs.next();
            closed = found && rs.getInt(1) == 1;
            drift = found ? rs.getLong(2) : 0;
        }
        int free = capacity - occupied;
        Availability.Status status = closed ? Availability.Status.CLOSED
                : free == 0 ? Availability.Status.FULL : Availability.Status.OPEN;
        return new Availability(lotId, levelId, capacity, occupied, free, byType, status, version, clock.instant(),
                drift);
    }

    private long bumpVersion(Connection c) throws SQLException {
        Instant now = clock.instant();
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE level_state SET availability_version = availability_version + 1, updated_at = ? WHERE id = 1"
                        + " RETURNING availability_version")) {
            ps.setString(1, now.toString());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("level_state row missing");
                }
                return rs.getLong(1);
            }
        }
    }

    private static Map<VehicleType, Integer> grouped(Connection c, String sql) throws SQLException {
        Map<VehicleType, Integer> result = new EnumMap<>(VehicleType.class);
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.put(VehicleType.valueOf(rs.getString(1)), rs.getInt(2));
            }
        }
        return result;
    }

    /**
     * Capacity and unclamped occupancy per type; {@code sensorExcess} is occupied sensors minus open sessions
     * (sensor levels only, empty otherwise); {@code adjustment} is what ramps, other levels' exits and recounts
     * added to the open sessions (counting levels only, empty otherwise).
     */
    public record Counts(Map<VehicleType, Integer> capacity, Map<VehicleType, Integer> raw,
                         Map<VehicleType, Integer> sensorExcess, Map<VehicleType, Integer> adjustment) {
        public Counts(Map<VehicleType, Integer> capacity, Map<VehicleType, Integer> raw) {
            this(capacity, raw, Map.of(), Map.of());
        }

        /** Open sessions of a type on a counting level: its unclamped count without the adjustment. */
        int openSessions(VehicleType t) {
            return raw.getOrDefault(t, 0) - adjustment.getOrDefault(t, 0);
        }

        /** Occupied spots of a type, clamped to [0, capacity]. */
        public int occupied(VehicleType t) {
            return Math.max(0, Math.min(capacity.getOrDefault(t, 0), raw.getOrDefault(t, 0)));
        }

        public int free(VehicleType t) {
            return capacity.getOrDefault(t, 0) - occupied(t);
        }
    }
}
