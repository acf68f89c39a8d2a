package org.openparking.cloud.ingest;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Envelope;

/**
 * Sequence tracking of one edge for a whole batch of its new events: last seq, the contiguous prefix, the
 * seqs parked above a gap ({@code edge_seq_pending}), counts, last seen and lag. The edge's row is taken once,
 * by the first statement (an upsert that locks it), so batches of one edge queue up on it; after a lock wait
 * that statement returns the row's newest committed columns, and every later statement reads a fresh snapshot.
 */
final class EdgeTracking {
    private EdgeTracking() {
    }

    /** {@code events}: new (not duplicate) events of one edge, any order. */
    static void track(Connection c, List<Envelope> events, Instant now) throws SQLException {
        Envelope newest = events.stream().max(Comparator.comparingLong(Envelope::seq)).orElseThrow();
        Instant lastEvent = events.stream().map(Envelope::occurredAt).max(Comparator.naturalOrder()).orElseThrow();
        double lag = Math.max(0, Duration.between(newest.occurredAt(), now).toMillis() / 1000.0);
        long[] row = Jdbc.query(c, """
                INSERT INTO edges (edge_id, lot_id, level_id, last_seq, contiguous_seq, events_received, last_seen,
                                   last_event_at, lag_seconds)
                VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)
                ON CONFLICT (edge_id) DO UPDATE SET
                    last_seq = GREATEST(edges.last_seq, EXCLUDED.last_seq),
                    events_received = edges.events_received + EXCLUDED.events_received,
                    last_seen = GREATEST(edges.last_seen, EXCLUDED.last_seen),
                    last_event_at = GREATEST(edges.last_event_at, EXCLUDED.last_event_at),
                    lag_seconds = EXCLUDED.lag_seconds
                RETURNING contiguous_seq, pending_count""",
                rs -> new long[] {rs.getLong(1), rs.getLong(2)},
                newest.edgeId(), newest.lotId(), newest.levelId(), newest.seq(), (long) events.size(), now, lastEvent,
                lag).getFirst();
        long contiguous = row[0];
        long pendingCount = row[1];
        TreeSet<Long> above = new TreeSet<>();
        events.forEach(e -> {
            if (e.seq() > contiguous) {
                above.add(e.seq());
            }
        });
        if (above.isEmpty()) {
            return;
        }
        if (pendingCount == 0) {
            // Nothing parked: the run that follows the prefix advances it, the rest is parked.
            long next = contiguous;
            while (above.contains(next + 1)) {
                next++;
            }
            int parked = park(c, newest.edgeId(), above.tailSet(next, false));
            Jdbc.update(c, "UPDATE edges SET contiguous_seq = ?, pending_count = pending_count + ? WHERE edge_id = ?",
                    next, parked, newest.edgeId());
            return;
        }
        int parked = park(c, newest.edgeId(), above);
        if (above.first() != contiguous + 1) {
            Jdbc.update(c, "UPDATE edges SET pending_count = pending_count + ? WHERE edge_id = ?", parked,
                    newest.edgeId());
            return;
        }
        // The gap at the front is closed: advance over every parked seq that now follows on.
        long next = contiguous;
        for (long seq : Jdbc.query(c, "SELECT seq FROM edge_seq_pending WHERE edge_id = ? AND seq > ? ORDER BY seq",
                rs -> rs.getLong(1), newest.edgeId(), contiguous)) {
            if (seq != next + 1) {
                break;
            }
            next = seq;
        }
        int merged = Jdbc.update(c, "DELETE FROM edge_seq_pending WHERE edge_id = ? AND seq <= ?", newest.edgeId(),
                next);
        Jdbc.update(c, """
                UPDATE edges SET contiguous_seq = ?, pending_count = pending_count + ? - ? WHERE edge_id = ?""",
                next, parked, merged, newest.edgeId());
    }

    private static int park(Connection c, String edgeId, java.util.SortedSet<Long> seqs) throws SQLException {
        if (seqs.isEmpty()) {
            return 0;
        }
        return Jdbc.update(c, """
                INSERT INTO edge_seq_pending (edge_id, seq) SELECT ?, unnest(?::bigint[]) ON CONFLICT DO NOTHING""",
                edgeId, seqs.stream().map(String::valueOf).toArray(String[]::new));
    }
}
