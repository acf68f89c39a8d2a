package org.openparking.cloud.opendata;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.openparking.cloud.portal.LevelAvailability;
import org.openparking.cloud.portal.LiveLevels;
import org.openparking.platform.jdbc.Jdbc;

/**
 * {@link LevelSource} on issue 16's in-memory {@link LiveLevels}: counts, status, version and time come from
 * memory, so a public request costs no database read for them. What the live view does not carry is read
 * only when it can have changed:
 * <ul>
 *   <li>a level's per-type counts and edge id, once per new level version (the live view announces each one);</li>
 *   <li>every edge's {@code last_seen}, at most once per {@code edgeRefresh} whatever the request rate
 *       (staleness is judged in minutes, so a few seconds' lag is harmless).</li>
 * </ul>
 * While the live view is not current (its change feed reconnecting) the answer comes from PostgreSQL, so a
 * lost feed never serves old counts as live.
 */
final class LiveLevelSource implements LevelSource {
    private record Detail(long version, String edgeId, Map<String, TypeCount> byType) {
    }

    private final LiveLevels live;
    private final DataSource dataSource;
    private final PostgresLevelSource fallback;
    private final Duration edgeRefresh;
    private final Clock clock;
    private final Map<String, Detail> details = new ConcurrentHashMap<>();
    private volatile Map<String, Instant> lastSeen = Map.of();
    private volatile Instant lastSeenReadAt;

    LiveLevelSource(LiveLevels live, DataSource dataSource, Duration edgeRefresh, Clock clock) {
        this.live = live;
        this.dataSource = dataSource;
        this.fallback = new PostgresLevelSource(dataSource);
        this.edgeRefresh = edgeRefresh;
        this.clock = clock;
    }

    @Override
    public List<LevelState> levels(Set<String> lots) throws SQLException {
        if (!live.current()) {
            return fallback.levels(lots);
        }
        List<LevelAvailability> held = new ArrayList<>();
        for (String lot : new java.util.TreeSet<>(lots)) {
            held.addAll(live.ofLot(lot));
        }
        List<LevelAvailability> changed = held.stream().filter(l -> {
            Detail d = details.get(l.key());
            return d == null || d.version() != l.version();
        }).toList();
        if (!changed.isEmpty()) {
            readDetails(changed);
        }
        Map<String, Instant> seen = lastSeen();
        List<LevelState> out = new ArrayList<>(held.size());
        for (LevelAvailability l : held) {
            Detail d = details.get(l.key());
            // A level the table no longer has (or not yet at this version) is shown without types.
            Map<String, TypeCount> byType = d == null ? Map.of() : d.byType();
            Instant heard = d == null || d.edgeId() == null ? null : seen.get(d.edgeId());
            out.add(new LevelState(l.lotId(), l.levelId(), l.capacity(), l.free(), byType, l.status(), l.version(),
                    l.updatedAt(), heard));
        }
        return out;
    }

    /** One query for the per-type counts and edge of every level whose version moved. */
    private void readDetails(List<LevelAvailability> changed) throws SQLException {
        Set<String> lots = new java.util.HashSet<>(changed.stream().map(LevelAvailability::lotId).toList());
        Set<String> keys = new java.util.HashSet<>(changed.stream().map(LevelAvailability::key).toList());
        Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT lot_id, level_id, version, edge_id, by_type::text AS by_type FROM levels
                WHERE lot_id = ANY (?::text[])""", rs -> {
            String key = rs.getString("lot_id") + "/" + rs.getString("level_id");
            if (keys.contains(key)) {
                details.put(key, new Detail(rs.getLong("version"), rs.getString("edge_id"),
                        PostgresLevelSource.byType(rs.getString("by_type"))));
            }
            return key;
        }, (Object) Jdbc.textArray(lots)));
    }

    /** Every edge's last contact, re-read when the copy is older than {@code edgeRefresh}. */
    private Map<String, Instant> lastSeen() throws SQLException {
        Instant now = clock.instant();
        Instant readAt = lastSeenReadAt;
        if (readAt != null && now.isBefore(readAt.plus(edgeRefresh))) {
            return lastSeen;
        }
        synchronized (this) {
            if (lastSeenReadAt != null && now.isBefore(lastSeenReadAt.plus(edgeRefresh))) {
                return lastSeen;
            }
            Map<String, Instant> read = new java.util.HashMap<>();
            Jdbc.read(dataSource, c -> Jdbc.query(c, "SELECT edge_id, last_seen FROM edges WHERE last_seen IS NOT NULL",
                    rs -> read.put(rs.getString(1), Jdbc.instant(rs.getTimestamp(2)))));
            lastSeen = Map.copyOf(read);
            lastSeenReadAt = now;
            return lastSeen;
        }
    }
}
