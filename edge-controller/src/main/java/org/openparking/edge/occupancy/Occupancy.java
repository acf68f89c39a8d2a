package org.openparking.edge.occupancy;

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
import org.openparking.protocol.DriftRecorded;
import org.openparking.protocol.VehicleType;

/**
 * Computes a level's occupancy inside a write transaction. Counting levels count open sessions per
 * spot type; sensor levels take, per type, the larger of open sessions and occupied sensors (a car
 * that entered holds a space before it parks). Counts are clamped to [0, capacity]; a count that had
 * to be clamped is recorded as drift, in the table, the outbox and the availability's {@code drift}.
 */
public final class Occupancy {
    private static final Logger LOG = Logger.getLogger(Occupancy.class.getName());

    private final EdgeSettings.OccupancyMode mode;
    private final String lotId;
    private final String levelId;
    private final Outbox outbox;
    private final Clock clock;
    private final LevelAvailability board;
    /** Unclamped counts of the last computation, to record a clamp once when it starts, not on every change. */
    private final Map<VehicleType, Integer> lastRaw = new EnumMap<>(VehicleType.class);

    public Occupancy(EdgeSettings.OccupancyMode mode, String lotId, String levelId, Outbox outbox, Clock clock,
                     LevelAvailability board) {
        this.mode = mode;
        this.lotId = lotId;
        this.levelId = levelId;
        this.outbox = outbox;
        this.clock = clock;
        this.board = board;
    }

    /** Per-type counts as they are now in the transaction. */
    public Counts counts(Connection c) throws SQLException {
        Map<VehicleType, Integer> capacity = grouped(c, "SELECT type, COUNT(*) FROM spots GROUP BY type");
        Map<VehicleType, Integer> sessions = grouped(c,
                "SELECT spot_type, COUNT(*) FROM sessions WHERE status = 'OPEN' GROUP BY spot_type");
        Map<VehicleType, Integer> sensors = mode == EdgeSettings.OccupancyMode.SENSORS
                ? grouped(c, "SELECT type, SUM(occupied) FROM spots GROUP BY type")
                : Map.of();
        Map<VehicleType, Integer> raw = new EnumMap<>(VehicleType.class);
        for (VehicleType t : capacity.keySet()) {
            raw.put(t, Math.max(sessions.getOrDefault(t, 0), sensors.getOrDefault(t, 0)));
        }
        return new Counts(capacity, raw);
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
            }
            lastRaw.put(t, raw);
        }
        Availability next = snapshot(c, counts, 0);
        Availability current = board.current();
        if (next.sameCountsAs(current)) {
            return current;
        }
        long version = bumpVersion(c);
        next = snapshot(c, counts, version);
        outbox.append(c, next.toEvent());
        return next;
    }

    /** The snapshot as stored, without changing anything: what a level shows right after start-up. */
    public Availability load(Connection c) throws SQLException {
        Counts counts = counts(c);
        counts.raw().forEach(lastRaw::put);
        try (PreparedStatement ps = c.prepareStatement("SELECT availability_version FROM level_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return snapshot(c, counts, rs.next() ? rs.getLong(1) : 0);
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
        try (PreparedStatement ps = c.prepareStatement("SELECT closed FROM level_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            closed = rs.next() && rs.getInt(1) == 1;
        }
        long drift;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM drift");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            drift = rs.getLong(1);
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
                "UPDATE level_state SET availability_version = availability_version + 1, updated_at = ? WHERE id = 1")) {
            ps.setString(1, now.toString());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("level_state row missing");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT availability_version FROM level_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
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

    /** Capacity and unclamped occupancy per type. */
    public record Counts(Map<VehicleType, Integer> capacity, Map<VehicleType, Integer> raw) {
        /** Occupied spots of a type, clamped to [0, capacity]. */
        public int occupied(VehicleType t) {
            return Math.max(0, Math.min(capacity.getOrDefault(t, 0), raw.getOrDefault(t, 0)));
        }

        public int free(VehicleType t) {
            return capacity.getOrDefault(t, 0) - occupied(t);
        }
    }
}
