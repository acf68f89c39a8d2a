package org.openparking.platform.outbox;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.openparking.protocol.Envelope;

/**
 * cloud-sync's {@code commands} table: seq from {@code command_seq}, the body as JSON text, the target
 * edge's id, lot and level from the envelope (receivers check a command is addressed to them).
 */
final class PostgresOutboxStore implements OutboxStore {

    @Override
    public long nextSeq(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT nextval('command_seq')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public boolean insert(Connection c, Message m) throws SQLException {
        Envelope e = m.envelope();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO commands (command_id, edge_id, lot_id, level_id, type, seq, exchange, routing_key, body,
                                      requested_by, issued_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (command_id) DO NOTHING""")) {
            ps.setString(1, e.id());
            ps.setString(2, e.edgeId());
            ps.setString(3, e.lotId());
            ps.setString(4, e.levelId());
            ps.setString(5, e.type());
            ps.setLong(6, e.seq());
            ps.setString(7, m.exchange());
            ps.setString(8, m.routingKey());
            ps.setString(9, new String(m.body(), StandardCharsets.UTF_8));
            ps.setString(10, m.requestedBy());
            ps.setTimestamp(11, Timestamp.from(e.occurredAt()));
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public List<Row> unsent(Connection c, long afterSeq, Instant createdAtOrBefore, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT seq, command_id, type, exchange, routing_key, body, issued_at, publish_attempts FROM commands
                WHERE sent_at IS NULL AND seq > ? AND issued_at <= ? ORDER BY seq LIMIT ?""")) {
            ps.setLong(1, afterSeq);
            ps.setTimestamp(2, Timestamp.from(createdAtOrBefore == null ? Instant.parse("9999-12-31T00:00:00Z")
                    : createdAtOrBefore));
            ps.setInt(3, limit);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6).getBytes(StandardCharsets.UTF_8),
                            rs.getTimestamp(7).toInstant(), rs.getInt(8)));
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
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE commands SET sent_at = ?, publish_attempts = publish_attempts + 1, last_error = NULL
                WHERE seq = ANY (?) AND sent_at IS NULL""")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setArray(2, longs(c, seqs));
            return ps.executeUpdate();
        }
    }

    @Override
    public int recordFailures(Connection c, List<Failure> failures) throws SQLException {
        if (failures.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE commands SET publish_attempts = publish_attempts + 1, last_error = ?
                WHERE seq = ? AND sent_at IS NULL""")) {
            for (Failure f : failures) {
                ps.setString(1, OutboxStore.reason(f.reason()));
                ps.setLong(2, f.seq());
                ps.addBatch();
            }
            return SqliteOutboxStore.sum(ps.executeBatch());
        }
    }

    @Override
    public int prune(Connection c, Instant sentBefore, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                DELETE FROM commands WHERE command_id IN (SELECT command_id FROM commands
                WHERE sent_at IS NOT NULL AND sent_at < ? ORDER BY seq LIMIT ?)""")) {
            ps.setTimestamp(1, Timestamp.from(sentBefore));
            ps.setInt(2, limit);
            return ps.executeUpdate();
        }
    }

    @Override
    public Backlog backlog(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT COUNT(*), MIN(issued_at), COALESCE(MAX(publish_attempts), 0) FROM commands
                WHERE sent_at IS NULL""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            Timestamp oldest = rs.getTimestamp(2);
            return new Backlog(rs.getLong(1), oldest == null ? null : oldest.toInstant(), rs.getInt(3));
        }
    }

    @Override
    public long pending(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM commands WHERE sent_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Array longs(Connection c, long[] values) throws SQLException {
        Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return c.createArrayOf("bigint", boxed);
    }
}
