package org.openparking.platform.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.openparking.protocol.Envelope;

/** The edge's {@code outbox} table: times as ISO-8601 text, the body as a blob, seq from AUTOINCREMENT. */
final class SqliteOutboxStore implements OutboxStore {

    @Override
    public long nextSeq(Connection c) throws SQLException {
        // sqlite_sequence remembers the highest seq ever used, even after sent rows are pruned.
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) + 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public boolean insert(Connection c, Message m) throws SQLException {
        Envelope e = m.envelope();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO outbox (seq, message_id, type, exchange, routing_key, body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING""")) {
            ps.setLong(1, e.seq());
            ps.setString(2, e.id());
            ps.setString(3, e.type());
            ps.setString(4, m.exchange());
            ps.setString(5, m.routingKey());
            ps.setBytes(6, m.body());
            ps.setString(7, e.occurredAt().toString());
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public List<Row> unsent(Connection c, long afterSeq, Instant createdAtOrBefore, int limit) throws SQLException {
        String sql = """
                SELECT seq, message_id, type, exchange, routing_key, body, created_at, attempts FROM outbox
                WHERE sent_at IS NULL AND seq > ?""" + (createdAtOrBefore == null ? "" : " AND created_at <= ?")
                + " ORDER BY seq LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setLong(i++, afterSeq);
            if (createdAtOrBefore != null) {
                ps.setString(i++, createdAtOrBefore.toString());
            }
            ps.setInt(i, limit);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getBytes(6), Instant.parse(rs.getString(7)), rs.getInt(8)));
                }
            }
            return rows;
        }
    }

    @Override
    public int markSent(Connection c, long[] seqs, Instant at) throws SQLException {
        if (seqs.length == 0) {
            return 0;
        }
        long[] sorted = seqs.clone();
        java.util.Arrays.sort(sorted);
        // Confirms mostly cover runs of consecutive seqs: one range statement per run.
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE outbox SET sent_at = ? WHERE seq BETWEEN ? AND ? AND sent_at IS NULL")) {
            int i = 0;
            while (i < sorted.length) {
                int j = i;
                while (j + 1 < sorted.length && sorted[j + 1] <= sorted[j] + 1) {
                    j++;
                }
                ps.setString(1, at.toString());
                ps.setLong(2, sorted[i]);
                ps.setLong(3, sorted[j]);
                ps.addBatch();
                i = j + 1;
            }
            return sum(ps.executeBatch());
        }
    }

    @Override
    public int recordFailures(Connection c, List<Failure> failures) throws SQLException {
        if (failures.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? AND sent_at IS NULL")) {
            for (Failure f : failures) {
                ps.setString(1, OutboxStore.reason(f.reason()));
                ps.setLong(2, f.seq());
                ps.addBatch();
            }
            return sum(ps.executeBatch());
        }
    }

    @Override
    public int prune(Connection c, Instant sentBefore, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox
                WHERE sent_at IS NOT NULL AND sent_at < ? ORDER BY seq LIMIT ?)""")) {
            ps.setString(1, sentBefore.toString());
            ps.setInt(2, limit);
            return ps.executeUpdate();
        }
    }

    @Override
    public Backlog backlog(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*), MIN(created_at), COALESCE(MAX(attempts), 0) FROM outbox WHERE sent_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            String oldest = rs.getString(2);
            return new Backlog(rs.getLong(1), oldest == null ? null : Instant.parse(oldest), rs.getInt(3));
        }
    }

    @Override
    public long pending(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static int sum(int[] counts) {
        int n = 0;
        for (int k : counts) {
            n += Math.max(k, 0);
        }
        return n;
    }
}
