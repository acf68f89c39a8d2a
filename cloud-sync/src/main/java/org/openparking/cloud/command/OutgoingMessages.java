package org.openparking.cloud.command;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.cloud.amqp.ConfirmingPublisher;
import org.openparking.cloud.amqp.Outgoing;
import org.openparking.cloud.store.Jdbc;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.ProtocolException;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;

/**
 * The cloud's own outbox: every message to an edge or to the payment worker is first a row in
 * {@code commands} (written in the caller's transaction), then published with confirms, then
 * marked sent. A row that could not be published keeps {@code sent_at} null and is re-published
 * with the identical body, so its envelope id (the receivers' idempotency key) never changes.
 */
public final class OutgoingMessages {
    private static final Logger LOG = Logger.getLogger(OutgoingMessages.class.getName());

    private final DataSource dataSource;
    private final ConfirmingPublisher publisher;
    private final Clock clock;

    public OutgoingMessages(DataSource dataSource, ConfirmingPublisher publisher, Clock clock) {
        this.dataSource = dataSource;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** A row written and not yet confirmed by the broker. */
    public record Pending(String commandId, String edgeId, Envelope envelope, Outgoing outgoing) {
    }

    /** A command for edge {@code lotId.levelId}, sent to its queue {@code edge.{edgeId}}. */
    public Pending toEdge(Connection c, String lotId, String levelId, Message payload, String requestedBy)
            throws SQLException {
        String edgeId = Envelope.edgeId(lotId, levelId);
        return insert(c, null, lotId, levelId, payload, Topology.EDGE_EXCHANGE, edgeId, true, requestedBy)
                .orElseThrow();
    }

    /**
     * A command for edge {@code lotId.levelId} under a deterministic {@code commandId}, written at most once: when
     * a row with that id exists already (a redelivered event issuing it again), nothing is written and the result
     * is empty.
     */
    public Optional<Pending> toEdgeOnce(Connection c, String commandId, String lotId, String levelId, Message payload,
                                        String requestedBy) throws SQLException {
        String edgeId = Envelope.edgeId(lotId, levelId);
        return insert(c, commandId, lotId, levelId, payload, Topology.EDGE_EXCHANGE, edgeId, true, requestedBy);
    }

    /** A request for the payment worker about a session of edge {@code lotId.levelId}. */
    public Pending toPayments(Connection c, String lotId, String levelId, Message payload, String requestedBy)
            throws SQLException {
        return insert(c, null, lotId, levelId, payload, Topology.PAYMENTS_EXCHANGE, Topology.PAYMENTS_ROUTING_KEY,
                false, requestedBy).orElseThrow();
    }

    /** {@code commandId} null: a new random id; otherwise that id, and empty if a row has it already. */
    private Optional<Pending> insert(Connection c, String commandId, String lotId, String levelId, Message payload,
                                     String exchange, String routingKey, boolean toEdgeQueue, String requestedBy)
            throws SQLException {
        long seq;
        try (PreparedStatement ps = c.prepareStatement("SELECT nextval('command_seq')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            seq = rs.getLong(1);
        }
        // The target edge's id, lot and level: receivers check that a command is addressed to them.
        String edgeId = Envelope.edgeId(lotId, levelId);
        Envelope envelope = commandId == null ? Envelope.of(edgeId, lotId, levelId, seq, clock.instant(), payload)
                : new Envelope(commandId, payload.type(), Envelope.SCHEMA_VERSION, edgeId, lotId, levelId, seq,
                        clock.instant(), payload);
        byte[] body = MessageCodec.encode(envelope);
        int inserted = Jdbc.update(c, """
                INSERT INTO commands (command_id, edge_id, lot_id, level_id, type, seq, exchange, routing_key, body,
                                      requested_by, issued_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (command_id) DO NOTHING""",
                envelope.id(), edgeId, lotId, levelId, envelope.type(), seq, exchange, routingKey,
                new String(body, java.nio.charset.StandardCharsets.UTF_8), requestedBy, envelope.occurredAt());
        if (inserted == 0) {
            if (commandId == null) {
                throw new IllegalStateException("random command id " + envelope.id() + " already taken");
            }
            return Optional.empty();
        }
        return Optional.of(new Pending(envelope.id(), edgeId, envelope,
                new Outgoing(exchange, routingKey, AmqpEnvelopes.properties(envelope), body,
                        toEdgeQueue ? edgeId : null)));
    }

    /** Declares an edge's queue now, so commands wait there even before the edge first connects; best effort. */
    public boolean prepareEdgeQueue(String edgeId) {
        try {
            publisher.declareEdgeQueue(edgeId);
            return true;
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot declare the queue of " + edgeId + " now; the first command will", e);
            return false;
        }
    }

    /**
     * Publishes committed rows and marks them sent once confirmed. Throws when the broker did not
     * confirm; the rows then stay unsent (and are retried by {@link #republishUnsent}).
     */
    public void publish(List<Pending> pending) throws IOException, SQLException {
        if (pending.isEmpty()) {
            return;
        }
        List<String> ids = pending.stream().map(Pending::commandId).toList();
        try {
            publisher.publish(pending.stream().map(Pending::outgoing).toList());
        } catch (IOException e) {
            Jdbc.inTransaction(dataSource, c -> mark(c, ids, false, e.toString()));
            throw e;
        }
        Jdbc.inTransaction(dataSource, c -> mark(c, ids, true, null));
    }

    private int mark(Connection c, List<String> ids, boolean sent, String error) throws SQLException {
        Array array = c.createArrayOf("text", ids.toArray());
        return sent
                ? Jdbc.update(c, """
                        UPDATE commands SET sent_at = ?, publish_attempts = publish_attempts + 1, last_error = NULL
                        WHERE command_id = ANY (?) AND sent_at IS NULL""", clock.instant(), array)
                : Jdbc.update(c, """
                        UPDATE commands SET publish_attempts = publish_attempts + 1, last_error = ?
                        WHERE command_id = ANY (?) AND sent_at IS NULL""", error, array);
    }

    /**
     * Re-publishes rows still unsent that were issued at least {@code minAgeSeconds} ago (younger
     * ones may still be in their first publish). Returns how many were confirmed now.
     */
    public int republishUnsent(int minAgeSeconds, int limit) throws SQLException {
        List<Pending> pending = Jdbc.read(dataSource, c -> {
            List<Pending> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT command_id, edge_id, exchange, routing_key, body FROM commands
                    WHERE sent_at IS NULL AND issued_at <= ? ORDER BY seq LIMIT ?""")) {
                Jdbc.bind(ps, clock.instant().minusSeconds(minAgeSeconds), limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(pendingOf(rs));
                    }
                }
            }
            return rows;
        });
        if (pending.isEmpty()) {
            return 0;
        }
        try {
            publish(pending);
            return pending.size();
        } catch (IOException e) {
            LOG.log(Level.FINE, "re-publish failed, will retry", e);
            return 0;
        }
    }

    private static Pending pendingOf(ResultSet rs) throws SQLException {
        String exchange = rs.getString("exchange");
        byte[] body = rs.getString("body").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Envelope envelope;
        try {
            envelope = MessageCodec.decode(body);
        } catch (ProtocolException e) {
            throw new IllegalStateException("stored command " + rs.getString("command_id") + " unreadable", e);
        }
        String edgeQueue = Topology.EDGE_EXCHANGE.equals(exchange) ? rs.getString("edge_id") : null;
        return new Pending(rs.getString("command_id"), rs.getString("edge_id"), envelope,
                new Outgoing(exchange, rs.getString("routing_key"), AmqpEnvelopes.properties(envelope), body,
                        edgeQueue));
    }
}
