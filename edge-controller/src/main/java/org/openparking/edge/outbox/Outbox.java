package org.openparking.edge.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.RefundRequested;
import org.openparking.platform.amqp.Topology;

/**
 * The transactional outbox (offline-first rule 2): every outgoing message is a row written in the same
 * SQLite transaction as the state change it reports. The row's {@code seq} is the envelope's per-edge
 * sequence number. The relay ships rows later; nothing here touches the network.
 */
public final class Outbox {
    private final String lotId;
    private final String levelId;
    private final String edgeId;
    private final Clock clock;

    public Outbox(String lotId, String levelId, Clock clock) {
        this.lotId = lotId;
        this.levelId = levelId;
        this.edgeId = Envelope.edgeId(lotId, levelId);
        this.clock = clock;
    }

    /** Appends {@code message} inside the caller's transaction and returns its envelope. */
    public Envelope append(Connection c, Message message) throws SQLException {
        long seq = nextSeq(c);
        Instant now = clock.instant();
        Envelope envelope = Envelope.of(edgeId, lotId, levelId, seq, now, message);
        String exchange;
        String routingKey;
        if (message instanceof PaymentRequested || message instanceof RefundRequested) {
            exchange = Topology.PAYMENTS_EXCHANGE;
            routingKey = Topology.PAYMENTS_ROUTING_KEY;
        } else {
            exchange = Topology.EVENTS_EXCHANGE;
            routingKey = Topology.edgeEventKey(lotId, levelId, message.type());
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO outbox (seq, message_id, type, exchange, routing_key, body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setLong(1, seq);
            ps.setString(2, envelope.id());
            ps.setString(3, envelope.type());
            ps.setString(4, exchange);
            ps.setString(5, routingKey);
            ps.setBytes(6, MessageCodec.encode(envelope));
            ps.setString(7, now.toString());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("outbox insert wrote no row");
            }
        }
        return envelope;
    }

    private static long nextSeq(Connection c) throws SQLException {
        // sqlite_sequence remembers the highest seq ever used, even after sent rows are pruned.
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) + 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
