package org.openparking.edge.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.RefundRequested;
import org.openparking.platform.amqp.Topology;
import org.openparking.platform.outbox.OutboxStore;

/**
 * The transactional outbox (offline-first rule 2): every outgoing message is a row written in the same
 * SQLite transaction as the state change it reports. The row's {@code seq} is the envelope's per-edge
 * sequence number. The relay ships rows later; nothing here touches the network. The SQL is the
 * platform's {@link OutboxStore#sqlite()}.
 */
public final class Outbox {
    private final String lotId;
    private final String levelId;
    private final String edgeId;
    private final Clock clock;
    private final OutboxStore store = OutboxStore.sqlite();

    public Outbox(String lotId, String levelId, Clock clock) {
        this.lotId = lotId;
        this.levelId = levelId;
        this.edgeId = Envelope.edgeId(lotId, levelId);
        this.clock = clock;
    }

    /** Appends {@code message} inside the caller's transaction and returns its envelope. */
    public Envelope append(Connection c, Message message) throws SQLException {
        long seq = store.nextSeq(c);
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
        if (!store.insert(c, new OutboxStore.Message(envelope, exchange, routingKey, MessageCodec.encode(envelope),
                null))) {
            throw new SQLException("outbox insert wrote no row");
        }
        return envelope;
    }
}
