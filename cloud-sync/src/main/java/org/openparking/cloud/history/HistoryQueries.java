package org.openparking.cloud.history;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.openparking.cloud.history.HistoryViews.EdgeHealth;
import org.openparking.cloud.history.HistoryViews.EdgeSeries;
import org.openparking.cloud.history.HistoryViews.HealthPoint;
import org.openparking.cloud.history.HistoryViews.LevelSeries;
import org.openparking.cloud.history.HistoryViews.LotInfo;
import org.openparking.cloud.history.HistoryViews.Occupancy;
import org.openparking.cloud.history.HistoryViews.OccupancyPoint;
import org.openparking.cloud.history.HistoryViews.Range;
import org.openparking.cloud.history.HistoryViews.Revenue;
import org.openparking.cloud.history.HistoryViews.RevenueDay;
import org.openparking.platform.jdbc.Jdbc;

/**
 * The portal's charts from {@code occupancy_history}, {@code edge_health_history} (V130, written by triggers) and
 * {@code payments}/{@code refunds}. Every query names one lot: the gateway has checked the caller may see it.
 */
public final class HistoryQueries {
    /** The most days a revenue query covers. */
    public static final int MAX_DAYS = 90;

    private final DataSource dataSource;
    private final Clock clock;

    public HistoryQueries(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The lot's name and zone; empty if nothing of the lot is known (no level, edge, tariff or site data). */
    public Optional<LotInfo> lot(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> lot(c, lotId));
    }

    private static Optional<LotInfo> lot(Connection c, String lotId) throws SQLException {
        return Jdbc.query(c, """
                SELECT s.name, s.time_zone FROM (SELECT ? AS lot_id) l
                LEFT JOIN open_data_sites s ON s.lot_id = l.lot_id
                WHERE s.lot_id IS NOT NULL OR EXISTS (SELECT 1 FROM levels WHERE lot_id = l.lot_id)
                   OR EXISTS (SELECT 1 FROM edges WHERE lot_id = l.lot_id)
                   OR EXISTS (SELECT 1 FROM tariffs WHERE lot_id = l.lot_id)""",
                rs -> new LotInfo(lotId, rs.getString(1) == null ? lotId : rs.getString(1),
                        rs.getString(2) == null ? "UTC" : rs.getString(2)), lotId).stream().findFirst();
    }

    /** The window's end: the end of the step now is in, so the newest point is the one being filled. */
    private Instant end(Range range) {
        long step = range.step.toSeconds();
        long now = clock.instant().getEpochSecond();
        return Instant.ofEpochSecond((now / step + 1) * step);
    }

    /** Occupancy of every level of the lot over {@code range}; empty if the lot is unknown. */
    public Optional<Occupancy> occupancy(String lotId, Range range) throws SQLException {
        Instant to = end(range);
        Instant from = to.minus(range.length);
        int steps = (int) (range.length.toSeconds() / range.step.toSeconds());
        long step = range.step.toSeconds();
        return Jdbc.read(dataSource, c -> {
            Optional<LotInfo> lot = lot(c, lotId);
            if (lot.isEmpty()) {
                return Optional.<Occupancy>empty();
            }
            Map<String, Integer> capacity = new TreeMap<>();
            Jdbc.query(c, "SELECT level_id, capacity FROM levels WHERE lot_id = ?",
                    rs -> capacity.put(rs.getString(1), rs.getInt(2)), lotId);
            // The state each level was in when the window opened: its newest recorded change before it.
            Map<String, int[]> carry = new TreeMap<>();
            Jdbc.query(c, """
                    SELECT DISTINCT ON (level_id) level_id, occupied, capacity FROM occupancy_history
                    WHERE lot_id = ? AND ((resolution = 'm' AND bucket_at < ?)
                                          OR (resolution = 'h' AND bucket_at + interval '1 hour' <= ?))
                    ORDER BY level_id, last_at DESC""",
                    rs -> carry.put(rs.getString(1), new int[] {rs.getInt(2), rs.getInt(3)}), lotId, from, from);
            record Row(String level, Instant bucket, int capacity, int occupied, int min, int max, Instant last) {
            }
            List<Row> rows = Jdbc.query(c, """
                    SELECT level_id, bucket_at, capacity, occupied, occupied_min, occupied_max, last_at
                    FROM occupancy_history WHERE lot_id = ? AND resolution = ? AND bucket_at >= ? AND bucket_at < ?
                    ORDER BY level_id, bucket_at""",
                    rs -> new Row(rs.getString(1), Jdbc.instant(rs.getTimestamp(2)), rs.getInt(3), rs.getInt(4),
                            rs.getInt(5), rs.getInt(6), Jdbc.instant(rs.getTimestamp(7))),
                    lotId, range.resolution, from, to);
            Map<String, List<Row>> byLevel = new TreeMap<>();
            capacity.keySet().forEach(l -> byLevel.put(l, new ArrayList<>()));
            carry.keySet().forEach(l -> byLevel.putIfAbsent(l, new ArrayList<>()));
            rows.forEach(r -> byLevel.computeIfAbsent(r.level(), k -> new ArrayList<>()).add(r));
            List<LevelSeries> levels = new ArrayList<>();
            for (Map.Entry<String, List<Row>> level : byLevel.entrySet()) {
                int[] start = carry.get(level.getKey());
                Integer occupied = start == null ? null : start[0];
                Integer cap = start == null ? null : start[1];
                List<OccupancyPoint> points = new ArrayList<>(steps);
                int next = 0;
                List<Row> list = level.getValue();
                for (int i = 0; i < steps; i++) {
                    Instant at = from.plusSeconds(i * step);
                    Instant stepEnd = at.plusSeconds(step);
                    Integer min = occupied;
                    Integer max = occupied;
                    Instant newest = null;
                    for (; next < list.size() && list.get(next).bucket().isBefore(stepEnd); next++) {
                        Row r = list.get(next);
                        min = min == null ? r.min() : Math.min(min, r.min());
                        max = max == null ? r.max() : Math.max(max, r.max());
                        if (newest == null || !r.last().isBefore(newest)) {
                            newest = r.last();
                            occupied = r.occupied();
                            cap = r.capacity();
                        }
                    }
                    points.add(new OccupancyPoint(at, occupied, min, max, cap));
                }
                levels.add(new LevelSeries(level.getKey(), capacity.getOrDefault(level.getKey(), cap), points));
            }
            LotInfo info = lot.get();
            return Optional.of(new Occupancy(lotId, info.name(), info.timeZone(), range.text, step, from, to,
                    levels));
        });
    }

    /** Health of every edge of the lot over {@code range}; empty if the lot is unknown. */
    public Optional<EdgeHealth> edgeHealth(String lotId, Range range) throws SQLException {
        Instant to = end(range);
        Instant from = to.minus(range.length);
        long step = range.step.toSeconds();
        int steps = (int) (range.length.toSeconds() / step);
        return Jdbc.read(dataSource, c -> {
            Optional<LotInfo> lot = lot(c, lotId);
            if (lot.isEmpty()) {
                return Optional.<EdgeHealth>empty();
            }
            Map<String, String> levelOf = new TreeMap<>();
            Jdbc.query(c, "SELECT edge_id, level_id FROM edges WHERE lot_id = ?",
                    rs -> levelOf.put(rs.getString(1), rs.getString(2)), lotId);
            record Row(String edge, String level, Instant bucket, int reports, int minutes, String state,
                       long pending, long age, Double lag, Instant last) {
            }
            List<Row> rows = Jdbc.query(c, """
                    SELECT edge_id, level_id, bucket_at, reports, minutes_seen, sync_state, outbox_pending_max,
                           oldest_pending_age_max, lag_seconds_max, last_at
                    FROM edge_health_history WHERE lot_id = ? AND resolution = ? AND bucket_at >= ? AND bucket_at < ?
                    ORDER BY edge_id, bucket_at""",
                    rs -> new Row(rs.getString(1), rs.getString(2), Jdbc.instant(rs.getTimestamp(3)), rs.getInt(4),
                            rs.getInt(5), rs.getString(6), rs.getLong(7), rs.getLong(8),
                            (Double) rs.getObject(9), Jdbc.instant(rs.getTimestamp(10))),
                    lotId, range.resolution, from, to);
            Map<String, List<Row>> byEdge = new TreeMap<>();
            levelOf.keySet().forEach(e -> byEdge.put(e, new ArrayList<>()));
            rows.forEach(r -> {
                byEdge.computeIfAbsent(r.edge(), k -> new ArrayList<>()).add(r);
                levelOf.putIfAbsent(r.edge(), r.level());
            });
            // A minute bucket counts 1 minute, an hour bucket up to 60: the share of the step's minutes seen.
            double minutesPerStep = step / 60.0;
            List<EdgeSeries> edges = new ArrayList<>();
            for (Map.Entry<String, List<Row>> edge : byEdge.entrySet()) {
                List<HealthPoint> points = new ArrayList<>(steps);
                List<Row> list = edge.getValue();
                int next = 0;
                for (int i = 0; i < steps; i++) {
                    Instant at = from.plusSeconds(i * step);
                    Instant stepEnd = at.plusSeconds(step);
                    int reports = 0;
                    int minutes = 0;
                    Long pending = null;
                    Long age = null;
                    Double lag = null;
                    String state = null;
                    Instant newest = null;
                    for (; next < list.size() && list.get(next).bucket().isBefore(stepEnd); next++) {
                        Row r = list.get(next);
                        reports += r.reports();
                        minutes += r.minutes();
                        pending = pending == null ? r.pending() : Math.max(pending, r.pending());
                        age = age == null ? r.age() : Math.max(age, r.age());
                        if (r.lag() != null) {
                            lag = lag == null ? r.lag() : Math.max(lag, r.lag());
                        }
                        if (newest == null || !r.last().isBefore(newest)) {
                            newest = r.last();
                            state = r.state();
                        }
                    }
                    points.add(new HealthPoint(at, Math.min(1.0, minutes / minutesPerStep), reports, pending, age,
                            lag, state));
                }
                edges.add(new EdgeSeries(edge.getKey(), levelOf.get(edge.getKey()), points));
            }
            LotInfo info = lot.get();
            return Optional.of(new EdgeHealth(lotId, info.name(), info.timeZone(), range.text, step, from, to,
                    edges));
        });
    }

    /**
     * The last {@code days} days (today included) in the lot's time zone; empty if the lot is unknown. A payment
     * counts on the day of its result, or of its request while it has none.
     */
    public Optional<Revenue> revenue(String lotId, int days) throws SQLException {
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("days must be between 1 and " + MAX_DAYS + ", was " + days);
        }
        return Jdbc.read(dataSource, c -> {
            Optional<LotInfo> lot = lot(c, lotId);
            if (lot.isEmpty()) {
                return Optional.<Revenue>empty();
            }
            String zone = lot.get().timeZone();
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneId.of(zone));
            LocalDate first = today.minusDays(days - 1);
            Instant since = first.atStartOfDay(ZoneId.of(zone)).toInstant();
            Map<LocalDate, Day> byDay = new LinkedHashMap<>();
            for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
                byDay.put(d, new Day());
            }
            Jdbc.query(c, """
                    SELECT (coalesce(result_at, requested_at) AT TIME ZONE ?)::date AS day, currency,
                           coalesce(sum(amount) FILTER (WHERE outcome = 'PAID'), 0) AS paid_amount,
                           count(*) FILTER (WHERE outcome = 'PAID') AS paid,
                           count(*) FILTER (WHERE outcome = 'DECLINED') AS declined,
                           count(*) FILTER (WHERE outcome = 'FAILED') AS failed,
                           count(*) FILTER (WHERE outcome IS NULL) AS pending
                    FROM payments WHERE lot_id = ? AND coalesce(result_at, requested_at) >= ?
                    GROUP BY 1, 2""",
                    rs -> {
                        Day d = byDay.get(rs.getDate("day").toLocalDate());
                        if (d != null) {
                            if (rs.getLong("paid") > 0) {
                                d.paid.merge(rs.getString("currency"), rs.getLong("paid_amount"), Long::sum);
                            }
                            d.paidCount += rs.getInt("paid");
                            d.declined += rs.getInt("declined");
                            d.failed += rs.getInt("failed");
                            d.pending += rs.getInt("pending");
                        }
                        return null;
                    },
                    zone, lotId, Timestamp.from(since));
            Jdbc.query(c, """
                    SELECT (r.result_at AT TIME ZONE ?)::date AS day, r.currency, sum(r.amount) AS amount
                    FROM refunds r JOIN payments p ON p.payment_id = r.payment_id
                    WHERE p.lot_id = ? AND r.status = 'REFUNDED' AND r.result_at >= ? GROUP BY 1, 2""",
                    rs -> {
                        Day d = byDay.get(rs.getDate("day").toLocalDate());
                        if (d != null) {
                            d.refunded.merge(rs.getString("currency"), rs.getLong("amount"), Long::sum);
                        }
                        return null;
                    },
                    zone, lotId, Timestamp.from(since));
            List<RevenueDay> out = new ArrayList<>();
            byDay.forEach((day, d) -> out.add(new RevenueDay(day, Map.copyOf(d.paid), Map.copyOf(d.refunded),
                    d.paidCount, d.declined, d.failed, d.pending)));
            LotInfo info = lot.get();
            return Optional.of(new Revenue(lotId, info.name(), zone, out));
        });
    }

    private static final class Day {
        final Map<String, Long> paid = new TreeMap<>();
        final Map<String, Long> refunded = new TreeMap<>();
        int paidCount;
        int declined;
        int failed;
        int pending;
    }
}
