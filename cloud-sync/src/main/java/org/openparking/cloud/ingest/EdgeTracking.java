package org.openparking.cloud.ingest;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Envelope;

/**
 * Sequence tracking of every edge of a batch at once: last seq, the contiguous prefix, the seqs parked above a
 * gap ({@code edge_seq_pending}), counts, last seen and lag. The edges' rows are taken by the first statement (one
 * upsert for all of them, in edge order, which locks them), so concurrent batches of one edge queue up on its row;
 * after a lock wait that statement returns the row's newest committed columns, and every later statement reads a
 * fresh snapshot. In order (the usual case) a batch costs that one statement whatever its number of edges; a gap
 * costs one to park seqs and one to update counts for all edges, and only an edge whose gap the batch closes
 * reads its parked seqs.
 */
final class EdgeTracking {
    private EdgeTracking() {
    }

    /** What one edge's batch does to its row: the prefix it reaches and the seqs it parks. */
    private record Plan(String edgeId, long contiguous, SortedSet<Long> park, boolean walk) {
    }

    /**
     * {@code byEdge}: each edge's new (not duplicate) events of the batch, any order. The rows of the edges of
     * {@code snapshots} (edge.status, written next by the caller) are taken by the same statement: two statements
     * taking rows of one table could each wait for the other's.
     */
    static void track(Connection c, Map<String, List<Envelope>> byEdge, List<Envelope> snapshots, Instant now)
            throws SQLException {
        TreeMap<String, Object[]> rowByEdge = new TreeMap<>();
        for (Envelope s : snapshots) {
            rowByEdge.put(s.edgeId(), new Object[] {s.edgeId(), s.lotId(), s.levelId(), 0, null, 0, now, null, null});
        }
        for (List<Envelope> events : byEdge.values()) {
            Envelope newest = events.stream().max(Comparator.comparingLong(Envelope::seq)).orElseThrow();
            Instant lastEvent = events.stream().map(Envelope::occurredAt).max(Comparator.naturalOrder())
                    .orElseThrow();
            double lag = Math.max(0, Duration.between(newest.occurredAt(), now).toMillis() / 1000.0);
            long first = events.stream().mapToLong(Envelope::seq).min().orElseThrow();
            long distinct = events.stream().mapToLong(Envelope::seq).distinct().count();
            // A run without holes (the in-order case): the upsert itself advances the prefix over it when the run
            // starts right after it, so the usual batch needs no further statement for its edges.
            Long run = newest.seq() - first + 1 == distinct ? first : null;
            rowByEdge.put(newest.edgeId(), new Object[] {newest.edgeId(), newest.lotId(), newest.levelId(),
                    newest.seq(), run, events.size(), now, lastEvent, lag});
        }
        if (rowByEdge.isEmpty()) {
            return;
        }
        Columns rows = new Columns(9);
        rowByEdge.values().forEach(rows::row);
        Object[] columns = rows.params();
        Object[] params = java.util.Arrays.copyOf(columns, columns.length + 2);
        params[columns.length] = columns[0];
        params[columns.length + 1] = columns[4];
        Map<String, long[]> held = new HashMap<>();
        Jdbc.query(c, """
                INSERT INTO edges (edge_id, lot_id, level_id, last_seq, contiguous_seq, events_received, last_seen,
                                   last_event_at, lag_seconds)
                SELECT e, lot, lvl, s, CASE WHEN run = 1 THEN s ELSE 0 END, n, seen, at, lag
                FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::timestamptz[],
                            ?::timestamptz[], ?::float8[]) AS v(e, lot, lvl, s, run, n, seen, at, lag)
                ON CONFLICT (edge_id) DO UPDATE SET
                    contiguous_seq = CASE
                        WHEN edges.pending_count = 0
                             AND (SELECT r.run FROM unnest(?::text[], ?::bigint[]) AS r(e, run)
                                  WHERE r.e = EXCLUDED.edge_id) = edges.contiguous_seq + 1
                        THEN EXCLUDED.last_seq ELSE edges.contiguous_seq END,
                    last_seq = GREATEST(edges.last_seq, EXCLUDED.last_seq),
                    events_received = edges.events_received + EXCLUDED.events_received,
                    last_seen = GREATEST(edges.last_seen, EXCLUDED.last_seen),
                    last_event_at = GREATEST(edges.last_event_at, EXCLUDED.last_event_at),
                    lag_seconds = COALESCE(EXCLUDED.lag_seconds, edges.lag_seconds)
                RETURNING edge_id, contiguous_seq, pending_count""",
                rs -> held.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)}), params);
        List<Plan> plans = new ArrayList<>();
        for (Map.Entry<String, List<Envelope>> edge : byEdge.entrySet()) {
            long[] row = held.get(edge.getKey());
            long contiguous = row[0];
            TreeSet<Long> above = new TreeSet<>();
            edge.getValue().forEach(e -> {
                if (e.seq() > contiguous) {
                    above.add(e.seq());
                }
            });
            if (above.isEmpty()) {
                continue;
            }
            if (row[1] == 0) {
                // Nothing parked: the run that follows the prefix advances it, the rest is parked.
                long next = contiguous;
                while (above.contains(next + 1)) {
                    next++;
                }
                plans.add(new Plan(edge.getKey(), next, above.tailSet(next, false), false));
            } else {
                // Seqs are parked already: park these too; if the gap at the front closes, walk the parked ones.
                plans.add(new Plan(edge.getKey(), contiguous, above, above.first() == contiguous + 1));
            }
        }
        Map<String, Integer> parked = park(c, plans);
        Columns updates = new Columns(3);
        for (Plan p : plans) {
            int n = parked.getOrDefault(p.edgeId(), 0);
            if (p.walk()) {
                walk(c, p.edgeId(), p.contiguous(), n);
            } else if (n > 0 || p.contiguous() != held.get(p.edgeId())[0]) {
                updates.row(p.edgeId(), p.contiguous(), n);
            }
        }
        if (!updates.isEmpty()) {
            Jdbc.update(c, """
                    UPDATE edges SET contiguous_seq = v.next, pending_count = edges.pending_count + v.parked
                    FROM unnest(?::text[], ?::bigint[], ?::int[]) AS v(edge_id, next, parked)
                    WHERE edges.edge_id = v.edge_id""", updates.params());
        }
    }

    /** Parks every plan's seqs in one statement; how many each edge parked (a seq parked before counts not). */
    private static Map<String, Integer> park(Connection c, List<Plan> plans) throws SQLException {
        Columns rows = new Columns(2);
        for (Plan p : plans) {
            p.park().forEach(seq -> rows.row(p.edgeId(), seq));
        }
        Map<String, Integer> parked = new HashMap<>();
        if (!rows.isEmpty()) {
            Jdbc.query(c, """
                    INSERT INTO edge_seq_pending (edge_id, seq) SELECT * FROM unnest(?::text[], ?::bigint[])
                    ON CONFLICT DO NOTHING RETURNING edge_id""",
                    rs -> parked.merge(rs.getString(1), 1, Integer::sum), rows.params());
        }
        return parked;
    }

    /** The gap at the front of {@code edgeId} is closed: advance over every parked seq that now follows on. */
    private static void walk(Connection c, String edgeId, long contiguous, int parked) throws SQLException {
        long next = contiguous;
        for (long seq : Jdbc.query(c, "SELECT seq FROM edge_seq_pending WHERE edge_id = ? AND seq > ? ORDER BY seq",
                rs -> rs.getLong(1), edgeId, contiguous)) {
            if (seq != next + 1) {
                break;
            }
            next = seq;
        }
        int merged = Jdbc.update(c, "DELETE FROM edge_seq_pending WHERE edge_id = ? AND seq <= ?", edgeId, next);
        Jdbc.update(c, """
                UPDATE edges SET contiguous_seq = ?, pending_count = pending_count + ? - ? WHERE edge_id = ?""",
                next, parked, merged, edgeId);
    }
}
