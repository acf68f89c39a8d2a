package org.openparking.cloud.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;

/** Read models of the fleet: lots, levels, edges, sessions. */
public final class FleetQueries {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration offlineAfter;

    public FleetQueries(DataSource dataSource, Clock clock, Duration offlineAfter) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.offlineAfter = offlineAfter;
    }

    /** Every lot, or only {@code lots} (a tenant's; null for every lot). */
    public List<FleetViews.Lot> lots(Set<String> lots) throws SQLException {
        Instant onlineSince = clock.instant().minus(offlineAfter);
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                WITH lot_ids AS (SELECT lot_id FROM edges UNION SELECT lot_id FROM levels UNION SELECT lot_id FROM tariffs)
                SELECT l.lot_id,
                       (SELECT count(*) FROM levels v WHERE v.lot_id = l.lot_id) AS levels,
                       (SELECT coalesce(sum(capacity), 0) FROM levels v WHERE v.lot_id = l.lot_id) AS capacity,
                       (SELECT coalesce(sum(occupied), 0) FROM levels v WHERE v.lot_id = l.lot_id) AS occupied,
                       (SELECT coalesce(sum(free), 0) FROM levels v WHERE v.lot_id = l.lot_id) AS free,
                       (SELECT count(*) FROM edges e WHERE e.lot_id = l.lot_id) AS edges,
                       (SELECT count(*) FROM edges e WHERE e.lot_id = l.lot_id AND e.last_seen >= ?) AS online,
                       (SELECT coalesce(max(version), 0) FROM tariffs t WHERE t.lot_id = l.lot_id) AS tariff_version
                FROM lot_ids l WHERE (?::text[] IS NULL OR l.lot_id = ANY (?::text[])) ORDER BY l.lot_id""",
                rs -> new FleetViews.Lot(rs.getString("lot_id"), rs.getInt("levels"), rs.getInt("capacity"),
                        rs.getInt("occupied"), rs.getInt("free"), rs.getInt("edges"), rs.getInt("online"),
                        rs.getInt("tariff_version")),
                onlineSince, Jdbc.textArray(lots), Jdbc.textArray(lots)));
    }

    /** The levels of a lot (known from availability or from a registered edge); empty if the lot is unknown. */
    public List<FleetViews.Level> levels(String lotId) throws SQLException {
        Instant onlineSince = clock.instant().minus(offlineAfter);
        return Jdbc.read(dataSource, c -> {
            List<FleetViews.Level> levels = Jdbc.query(c, """
                    SELECT coalesce(v.lot_id, e.lot_id) AS lot_id, coalesce(v.level_id, e.level_id) AS level_id,
                           coalesce(e.edge_id, v.edge_id) AS edge_id, v.capacity, v.occupied, v.free,
                           v.by_type::text AS by_type, v.status, v.version, v.updated_at, e.last_seen
                    FROM levels v FULL OUTER JOIN edges e ON e.lot_id = v.lot_id AND e.level_id = v.level_id
                    WHERE coalesce(v.lot_id, e.lot_id) = ?
                    ORDER BY 2""",
                    rs -> {
                        Instant lastSeen = Jdbc.instant(rs.getTimestamp("last_seen"));
                        return new FleetViews.Level(rs.getString("lot_id"), rs.getString("level_id"),
                                rs.getString("edge_id"), integer(rs, "capacity"), integer(rs, "occupied"),
                                integer(rs, "free"), byType(rs.getString("by_type")), rs.getString("status"),
                                longValue(rs, "version"), Jdbc.instant(rs.getTimestamp("updated_at")),
                                lastSeen != null && !lastSeen.isBefore(onlineSince), lastSeen, List.of());
                    },
                    lotId);
            Map<String, List<FleetViews.Lane>> lanesByLevel = new java.util.HashMap<>();
            Jdbc.query(c,
                    "SELECT level_id, lane_id, barrier, version, updated_at FROM lanes WHERE lot_id = ? ORDER BY 1, 2",
                    rs -> lanesByLevel.computeIfAbsent(rs.getString("level_id"), k -> new ArrayList<>())
                            .add(new FleetViews.Lane(rs.getString("lane_id"), rs.getString("barrier"),
                                    rs.getLong("version"), Jdbc.instant(rs.getTimestamp("updated_at")))),
                    lotId);
            List<FleetViews.Level> result = new ArrayList<>();
            for (FleetViews.Level level : levels) {
                result.add(new FleetViews.Level(level.lotId(), level.levelId(), level.edgeId(), level.capacity(),
                        level.occupied(), level.free(), level.byType(), level.status(), level.version(),
                        level.updatedAt(), level.edgeOnline(), level.edgeLastSeen(),
                        List.copyOf(lanesByLevel.getOrDefault(level.levelId(), List.of()))));
            }
            return result;
        });
    }

    /** The edges of {@code lotId} (null: of every lot), within {@code lots} (a tenant's; null for every lot). */
    public List<FleetViews.Edge> edges(String lotId, Set<String> lots) throws SQLException {
        Instant onlineSince = clock.instant().minus(offlineAfter);
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT e.*,
                       (SELECT count(*) FROM edge_seq_pending p WHERE p.edge_id = e.edge_id) AS pending,
                       (SELECT count(*) FROM commands m WHERE m.edge_id = e.edge_id AND m.sent_at IS NULL) AS unsent,
                       (SELECT count(*) FROM commands m WHERE m.edge_id = e.edge_id AND m.exchange = 'parking.edge'
                                                          AND m.applied_at IS NULL) AS unapplied
                FROM edges e WHERE (?::text IS NULL OR e.lot_id = ?)
                  AND (?::text[] IS NULL OR e.lot_id = ANY (?::text[])) ORDER BY e.edge_id""",
                rs -> {
                    Instant lastSeen = Jdbc.instant(rs.getTimestamp("last_seen"));
                    long last = rs.getLong("last_seq");
                    long contiguous = rs.getLong("contiguous_seq");
                    double lag = rs.getDouble("lag_seconds");
                    Double lagSeconds = rs.wasNull() ? null : lag;
                    return new FleetViews.Edge(rs.getString("edge_id"), rs.getString("lot_id"),
                            rs.getString("level_id"), last, contiguous,
                            Math.max(0, last - contiguous - rs.getLong("pending")), rs.getLong("events_received"),
                            lastSeen, Jdbc.instant(rs.getTimestamp("last_event_at")), lagSeconds,
                            lastSeen != null && !lastSeen.isBefore(onlineSince),
                            Jdbc.instant(rs.getTimestamp("registered_at")), rs.getLong("unsent"),
                            rs.getLong("unapplied"), rs.getString("software_version"), rs.getString("sync_state"),
                            (Long) rs.getObject("outbox_pending"), (Long) rs.getObject("oldest_pending_age_seconds"),
                            Jdbc.instant(rs.getTimestamp("status_at")));
                },
                lotId, lotId, Jdbc.textArray(lots), Jdbc.textArray(lots)));
    }

    /**
     * Drift the edges recorded (clamps, sensor and session disagreements, recounts), newest first; {@code lots}
     * limits a tenant to its own lots inside the query.
     */
    public List<FleetViews.Drift> drift(FleetViews.DriftFilter f) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT * FROM drift_records
                WHERE (?::text IS NULL OR lot_id = ?) AND (?::text IS NULL OR level_id = ?)
                  AND (?::timestamptz IS NULL OR occurred_at >= ?)
                  AND (?::text[] IS NULL OR lot_id = ANY (?::text[]))
                ORDER BY occurred_at DESC, message_id LIMIT ?""",
                rs -> new FleetViews.Drift(rs.getString("lot_id"), rs.getString("level_id"), rs.getString("edge_id"),
                        rs.getString("vehicle_type"), rs.getString("reason"), rs.getInt("expected"),
                        rs.getInt("observed"), Jdbc.instant(rs.getTimestamp("occurred_at"))),
                f.lotId(), f.lotId(), f.levelId(), f.levelId(), f.from(), f.from(), Jdbc.textArray(f.lots()),
                Jdbc.textArray(f.lots()), f.limit()));
    }

    public List<FleetViews.Session> sessions(FleetViews.SessionFilter f) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT * FROM sessions
                WHERE (?::text IS NULL OR lot_id = ?) AND (?::text IS NULL OR plate = ?)
                  AND (?::text IS NULL OR status = ?)
                  AND (?::timestamptz IS NULL OR entry_time >= ?) AND (?::timestamptz IS NULL OR entry_time < ?)
                  AND (?::text[] IS NULL OR lot_id = ANY (?::text[]))
                ORDER BY entry_time DESC, session_id LIMIT ?""",
                FleetQueries::session,
                f.lotId(), f.lotId(), f.plate(), f.plate(), f.status(), f.status(), f.from(), f.from(), f.to(),
                f.to(), Jdbc.textArray(f.lots()), Jdbc.textArray(f.lots()), f.limit()));
    }

    public Optional<FleetViews.Session> session(String sessionId) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, "SELECT * FROM sessions WHERE session_id = ?",
                FleetQueries::session, sessionId)).stream().findFirst();
    }

    static FleetViews.Session session(ResultSet rs) throws SQLException {
        return new FleetViews.Session(rs.getString("session_id"), rs.getString("edge_id"), rs.getString("lot_id"),
                rs.getString("level_id"), rs.getString("status"), Jdbc.instant(rs.getTimestamp("entry_time")),
                rs.getString("entry_lane"), rs.getString("plate"), rs.getString("vehicle_type"),
                integer(rs, "entry_tariff_version"), Jdbc.instant(rs.getTimestamp("exit_time")),
                rs.getString("exit_lane"), longValue(rs, "fee_amount"), rs.getString("currency"),
                rs.getString("payment_status"), rs.getString("payment_id"), integer(rs, "tariff_version"),
                (Boolean) rs.getObject("lost_ticket"), rs.getString("exit_level_id"));
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Long longValue(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Map<String, Object> byType(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
