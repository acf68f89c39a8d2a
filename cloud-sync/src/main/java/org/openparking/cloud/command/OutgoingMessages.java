package org.openparking.cloud.command;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.platform.amqp.ConfirmingPublisher;
import org.openparking.platform.amqp.Outgoing;
import org.openparking.platform.amqp.Topology;
import org.openparking.platform.outbox.OutboxStore;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.ProtocolException;

/**
 * The cloud's outbox: every message to an edge or to the payment worker is first a row in
 * {@code commands} (written in the caller's transaction through the PostgreSQL {@link OutboxStore}),
 * then published with confirms, then marked sent. A row that could not be published keeps
 * {@code sent_at} null and is re-published with the identical body, so its envelope id (the
 * receivers' idempotency key) never changes.
 */
public final class OutgoingMessages {
    private static final Logger LOG = Logger.getLogger(OutgoingMessages.class.getName());

    private final DataSource dataSource;
    private final OutboxStore store;
    private final ConfirmingPublisher publisher;
    private final Clock clock;

    public OutgoingMessages(DataSource dataSource, ConfirmingPublisher publisher, Clock clock) {
        this.dataSource = dataSource;
        this.store = OutboxStore.postgres();
        this.publisher = publisher;
        this.clock = clock;
    }

    /** A row written and not yet confirmed by the broker. */
    public record Pending(String commandId, String edgeId, Envelope envelope, long seq, Outgoing outgoing) {
        /** The edge whose queue is declared before the publish (a command for an offline edge waits there). */
        String edgeQueue() {
            return Topology.EDGE_EXCHANGE.equals(outgoing.exchange()) ? edgeId : null;
        }
    }

    /** A command for edge {@code lotId.levelId}, sent to its queue {@code edge.{edgeId}}. */
    public Pending toEdge(Connection c, String lotId, String levelId, Message payload, String requestedBy)
            throws SQLException {
        String edgeId = Envelope.edgeId(lotId, levelId);
        return insert(c, null, lotId, levelId, payload, Topology.EDGE_EXCHANGE, edgeId, requestedBy).orElseThrow();
    }

    /**
     * A command for edge {@code lotId.levelId} under a deterministic {@code commandId}, written at most once: when
     * a row with that id exists already (a redelivered event issuing it again), nothing is written and the result
     * is empty.
     */
    public Optional<Pending> toEdgeOnce(Connection c, String commandId, String lotId, String levelId, Message payload,
                                        String requestedBy) throws SQLException {
        String edgeId = Envelope.edgeId(lotId, levelId);
        return insert(c, commandId, lotId, levelId, payload, Topology.EDGE_EXCHANGE, edgeId, requestedBy);
    }

    /**
     * A request for the payment worker about a session of edge {@code lotId.levelId}, on cloud-sync's own refund
     * exchange (edges may not write to it).
     */
    public Pending toPayments(Connection c, String lotId, String levelId, Message payload, String requestedBy)
            throws SQLException {
        return insert(c, null, lotId, levelId, payload, Topology.REFUNDS_EXCHANGE, Topology.REFUNDS_ROUTING_KEY,
                requestedBy).orElseThrow();
    }

    /** {@code commandId} null: a new random id; otherwise that id, and empty if a row has it already. */
    private Optional<Pending> insert(Connection c, String commandId, String lotId, String levelId, Message payload,
                                     String exchange, String routingKey, String requestedBy) throws SQLException {
        long seq = store.nextSeq(c);
        // The target edge's id, lot and level: receivers check that a command is addressed to them.
        String edgeId = Envelope.edgeId(lotId, levelId);
        Envelope envelope = commandId == null ? Envelope.of(edgeId, lotId, levelId, seq, clock.instant(), payload)
                : new Envelope(commandId, payload.type(), Envelope.SCHEMA_VERSION, edgeId, lotId, levelId, seq,
                        clock.instant(), payload);
        byte[] body = MessageCodec.encode(envelope);
        if (!store.insert(c, new OutboxStore.Message(envelope, exchange, routingKey, body, requestedBy))) {
            if (commandId == null) {
                throw new IllegalStateException("random command id " + envelope.id() + " already taken");
            }
            return Optional.empty();
        }
        return Optional.of(pending(envelope, exchange, routingKey, body));
    }

    private static Pending pending(Envelope envelope, String exchange, String routingKey, byte[] body) {
        return new Pending(envelope.id(), envelope.edgeId(), envelope, envelope.seq(),
                new Outgoing(exchange, routingKey, org.openparking.platform.amqp.AmqpEnvelopes.properties(envelope),
                        body));
    }

    /** Declares an edge's queue now, so commands wait there even before the edge first connects; best effort. */
    public boolean prepareEdgeQueue(String edgeId) {
        try {
            publisher.declare(ch -> Topology.declareEdgeQueue(ch, edgeId));
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
        long[] seqs = pending.stream().mapToLong(Pending::seq).toArray();
        Set<String> edgeQueues = new LinkedHashSet<>();
        pending.forEach(p -> {
            if (p.edgeQueue() != null) {
                edgeQueues.add(p.edgeQueue());
            }
        });
        try {
            publisher.publish(ch -> {
                for (String edgeId : edgeQueues) {
                    Topology.declareEdgeQueue(ch, edgeId);
                }
                if (pending.stream().anyMatch(p -> Topology.REFUNDS_EXCHANGE.equals(p.outgoing().exchange()))) {
                    Topology.declareRefunds(ch);
                }
            }, pending.stream().map(Pending::outgoing).toList());
        } catch (IOException e) {
            List<OutboxStore.Failure> failures = new ArrayList<>();
            for (long seq : seqs) {
                failures.add(new OutboxStore.Failure(seq, reason(e)));
            }
            Jdbc.inTransaction(dataSource, c -> store.recordFailures(c, failures));
            throw e;
        }
        Jdbc.inTransaction(dataSource, c -> store.markSent(c, seqs, clock.instant()));
    }

    /** What went wrong, with the broker's reply (e.g. PRECONDITION_FAILED) the client keeps in the cause. */
    private static String reason(IOException e) {
        return e.getCause() == null || e.getCause().getMessage() == null ? e.toString()
                : e + " (" + e.getCause().getMessage() + ")";
    }

    /**
     * Re-publishes rows still unsent that were issued at least {@code minAgeSeconds} ago (younger
     * ones may still be in their first publish). Returns how many were confirmed now. When the batch fails,
     * each row is tried alone, so one command that cannot be published (its queue refused, its row
     * unreadable) never holds back the others; each such row is logged at WARNING with its reason and its
     * failure recorded on the row.
     */
    public int republishUnsent(int minAgeSeconds, int limit) throws SQLException {
        List<OutboxStore.Row> rows = Jdbc.read(dataSource,
                c -> store.unsent(c, 0, clock.instant().minusSeconds(minAgeSeconds), limit));
        List<Pending> pending = new ArrayList<>();
        List<OutboxStore.Failure> unreadable = new ArrayList<>();
        for (OutboxStore.Row r : rows) {
            try {
                pending.add(pending(MessageCodec.decode(r.body()), r.exchange(), r.routingKey(), r.body()));
            } catch (ProtocolException e) {
                LOG.warning(() -> "stored command " + r.messageId() + " is unreadable and is not re-published: "
                        + e.getMessage());
                unreadable.add(new OutboxStore.Failure(r.seq(), "unreadable: " + e.getMessage()));
            }
        }
        if (!unreadable.isEmpty()) {
            Jdbc.inTransaction(dataSource, c -> store.recordFailures(c, unreadable));
        }
        if (pending.isEmpty()) {
            return 0;
        }
        try {
            publish(pending);
            return pending.size();
        } catch (IOException batch) {
            int sent = 0;
            List<String> failed = new ArrayList<>();
            for (Pending p : pending) {
                try {
                    publish(List.of(p));
                    sent++;
                } catch (IOException e) {
                    failed.add(p.commandId() + " (" + p.envelope().type() + " to " + p.outgoing().exchange() + " "
                            + p.outgoing().routingKey() + "): " + reason(e));
                }
            }
            if (sent == 0) {
                LOG.warning("re-publish of " + pending.size() + " commands failed, will retry: " + failed.getFirst());
            } else {
                int others = sent;
                failed.forEach(f -> LOG.warning("command " + f + " not re-published (" + others
                        + " others were), will retry"));
            }
            return sent;
        }
    }
}
