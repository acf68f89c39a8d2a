package org.openparking.edge.sync;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.ParkingException;
import org.openparking.edge.command.Inbox;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.payment.Payment;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.platform.jdbc.Database;
import org.openparking.platform.jdbc.StoreException;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.ProtocolException;
import org.openparking.protocol.RefundResult;
import org.openparking.platform.amqp.Acknowledger;
import org.openparking.platform.amqp.Authors;
import org.openparking.platform.amqp.BrokerLink;
import org.openparking.platform.amqp.Topology;

/**
 * Consumes the edge's own queue {@code edge.{edgeId}}: commands and payment results from the cloud.
 * Each is applied exactly once (its id goes into the inbox in the same transaction as its effect) and
 * acked after the commit. What cannot be applied (malformed, unknown type, newer schema, addressed to
 * another edge, or sent by a broker user that may not send it: see {@link Authors}) is dead-lettered with a
 * reason and acked; a database failure is nacked and requeued after a
 * pause that doubles from 100 ms to 5 s while the failures last (a full or broken disk must not turn into a
 * tight redelivery loop that burns the controller's CPU and floods its log), and resets after a success.
 */
final class EdgeQueueConsumer implements LinkUser {
    private static final Logger LOG = Logger.getLogger(EdgeQueueConsumer.class.getName());

    private final String edgeId;
    private final String queue;
    private final int prefetch;
    private final Database db;
    private final LevelCommands commands;
    private final PaymentRepository payments;
    private final PaymentResults results;
    private final PaymentLink link;
    private final Clock clock;
    private volatile Channel channel;
    private volatile Channel deadLetterChannel;
    private final Acknowledger.Pause pause;
    private final Authors authors;

    EdgeQueueConsumer(String edgeId, int prefetch, Database db, LevelCommands commands, PaymentRepository payments,
                      PaymentResults results, PaymentLink link, Clock clock, Authors authors) {
        this(edgeId, prefetch, db, commands, payments, results, link, clock, authors, Thread::sleep);
    }

    EdgeQueueConsumer(String edgeId, int prefetch, Database db, LevelCommands commands, PaymentRepository payments,
                      PaymentResults results, PaymentLink link, Clock clock, Authors authors,
                      Acknowledger.Pause pause) {
        this.pause = pause;
        this.authors = authors;
        this.edgeId = edgeId;
        this.queue = Topology.edgeQueue(edgeId);
        this.prefetch = prefetch;
        this.db = db;
        this.commands = commands;
        this.payments = payments;
        this.results = results;
        this.link = link;
        this.clock = clock;
    }

    @Override
    public void attach(BrokerLink link) throws IOException {
        attach(link.connection());
    }

    /** Starts consuming on {@code connection}; the queue was declared by the relay. */
    void attach(Connection connection) throws IOException {
        Channel dl = connection.createChannel();
        Channel ch = connection.createChannel();
        ch.basicQos(prefetch);
        Acknowledger acks = Acknowledger.create(ch, dl, queue, Duration.ofMillis(100), Duration.ofSeconds(5), pause);
        deadLetterChannel = dl;
        channel = ch;
        ch.basicConsume(queue, false, "edge-" + edgeId, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String consumerTag, com.rabbitmq.client.Envelope delivery,
                                       AMQP.BasicProperties properties, byte[] body) throws IOException {
                handle(acks, delivery.getDeliveryTag(), delivery.getRoutingKey(), properties, body);
            }
        });
    }

    @Override
    public boolean healthy() {
        Channel ch = channel;
        Channel dl = deadLetterChannel;
        return ch != null && ch.isOpen() && dl != null && dl.isOpen();
    }

    private void handle(Acknowledger acks, long tag, String routingKey, AMQP.BasicProperties properties, byte[] body)
            throws IOException {
        Envelope envelope;
        try {
            envelope = MessageCodec.decode(body);
        } catch (ProtocolException e) {
            acks.deadLetter(tag, properties, body, e.getMessage());
            return;
        }
        if (!edgeId.equals(envelope.edgeId())) {
            acks.deadLetter(tag, properties, body, "WRONG_EDGE: addressed to " + envelope.edgeId() + ", this is "
                    + edgeId);
            return;
        }
        if (envelope.payload() instanceof Message.Command || envelope.payload() instanceof PaymentResult
                || envelope.payload() instanceof RefundResult) {
            // Commands only from cloud-sync's broker user, results only from the worker's.
            try {
                authors.check(properties == null ? null : properties.getUserId(), envelope, routingKey);
            } catch (Authors.Refused e) {
                acks.deadLetter(tag, properties, body, e.getMessage());
                return;
            }
        }
        try {
            switch (envelope.payload()) {
                case Message.Command c -> commands.apply(envelope);
                case PaymentResult r -> paymentResult(envelope, r);
                case RefundResult r -> refundResult(envelope, r);
                default -> {
                    acks.deadLetter(tag, properties, body, "UNEXPECTED_TYPE: " + envelope.type()
                            + " is not sent to an edge");
                    return;
                }
            }
            acks.ack(tag);
        } catch (StoreException e) {
            long wait = acks.nextPause();
            LOG.log(Level.WARNING, "cannot apply " + envelope.type() + " " + envelope.id()
                    + " (database failure): requeued in " + wait + " ms", e);
            acks.requeue(tag);
        } catch (ParkingException e) {
            // The command was committed; only its physical effect (e.g. opening a barrier) failed.
            LOG.warning(() -> "command " + envelope.id() + " recorded, but its effect failed: " + e.getMessage());
            acks.ack(tag);
        } catch (RuntimeException e) {
            // The acknowledger's line (message id, queue, reason with the exception) is the one line of a
            // poison message; the stack trace only at FINE.
            LOG.log(Level.FINE, "cannot apply " + envelope.type() + " " + envelope.id(), e);
            acks.deadLetter(tag, properties, body, "APPLY_FAILED: " + e);
        }
    }

    /**
     * Records the result with the payment row in one transaction, then wakes the exit that waits for
     * it. A late result for a DEFERRED payment (the car already left) updates the row the same way.
     */
    private void paymentResult(Envelope envelope, PaymentResult r) {
        Instant now = clock.instant();
        boolean fresh = db.write(c -> {
            if (!Inbox.record(c, envelope, now)) {
                return false;
            }
            Optional<Payment> payment = payments.find(c, r.paymentId());
            if (payment.isEmpty()) {
                LOG.warning(() -> "payment result for unknown payment " + r.paymentId() + " recorded and ignored");
                return true;
            }
            Payment p = payment.get();
            if (p.status() == Payment.Status.REQUESTED || p.status() == Payment.Status.DEFERRED) {
                Payment.Status status = switch (r.outcome()) {
                    case PAID -> Payment.Status.PAID;
                    case DECLINED -> Payment.Status.DECLINED;
                    case FAILED -> Payment.Status.FAILED;
                };
                payments.updateStatus(c, p.paymentId(), status, p.deferred(), r.providerReference(), r.failureCode(),
                        now);
                if (p.deferred() && status != Payment.Status.PAID) {
                    LOG.warning(() -> "deferred payment " + p.paymentId() + " of session " + p.sessionId()
                            + " could not be collected: " + status);
                }
            } else {
                LOG.info(() -> "payment " + p.paymentId() + " is already " + p.status() + "; result "
                        + r.outcome() + " recorded only");
            }
            return true;
        });
        results.deliver(r);
        link.paymentAnswered();
        if (!fresh) {
            LOG.fine(() -> "payment result " + envelope.id() + " was a redelivery");
        }
    }

    /** Refunds are the cloud's business; the edge only records that it saw the result. */
    private void refundResult(Envelope envelope, RefundResult r) {
        db.write(c -> Inbox.record(c, envelope, clock.instant()));
        LOG.info(() -> "refund " + r.refundId() + " of session " + r.sessionId() + ": " + r.outcome());
    }
}
