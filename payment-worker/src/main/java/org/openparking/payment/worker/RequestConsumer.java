package org.openparking.payment.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.protocol.CardNumbers;
import org.openparking.platform.amqp.Acknowledger;
import org.openparking.platform.amqp.Authors;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.ProtocolException;

/**
 * One competing consumer of {@code payments.requests}: manual acks, one delivery at a time on its
 * channel. The request is acked only after its result was published and confirmed (or it was
 * dead-lettered with its reason and confirmed, see {@link Acknowledger}). A request that cannot be
 * finished now is held, unacked, and retried; after {@code holdMax} (or on shutdown) it is requeued,
 * never dropped.
 */
final class RequestConsumer extends DefaultConsumer {
    private static final Logger LOG = Logger.getLogger(RequestConsumer.class.getName());

    private final PaymentProcessor processor;
    private final ResultPublisher publisher;
    private final Acknowledger acks;
    private final Duration holdMax;
    private final AtomicBoolean running;
    private final Authors authors;

    RequestConsumer(Channel channel, Acknowledger acks, PaymentProcessor processor, ResultPublisher publisher,
                    Duration holdMax, AtomicBoolean running, Authors authors) {
        super(channel);
        this.authors = authors;
        this.acks = acks;
        this.processor = processor;
        this.publisher = publisher;
        this.holdMax = holdMax;
        this.running = running;
    }

    @Override
    public void handleDelivery(String consumerTag, Envelope delivery, AMQP.BasicProperties properties, byte[] body)
            throws IOException {
        long tag = delivery.getDeliveryTag();
        try {
            Decision refused = refusedAuthor(delivery.getRoutingKey(), properties, body);
            Decision decision = refused != null ? refused : processor.handle(body);
            long deadline = System.nanoTime() + holdMax.toNanos();
            while (decision instanceof Decision.Hold hold && running.get() && System.nanoTime() < deadline) {
                Thread.sleep(hold.delay().toMillis());
                decision = processor.handle(body);
            }
            switch (decision) {
                case Decision.Publish p -> {
                    publisher.publish(p.result());
                    acks.ack(tag);
                }
                case Decision.Ack a -> acks.ack(tag);
                case Decision.DeadLetter d -> {
                    // One line per poison message, and the acknowledger writes it (message id, queue, reason and
                    // the detail, redacted like the body and clipped, so poison cannot grow the log). The body is
                    // redacted of anything like a card number before it is kept anywhere.
                    acks.deadLetter(tag, properties, CardNumbers.redact(body), d.reason(),
                            CardNumbers.redact(d.detail()));
                }
                case Decision.Hold h -> {
                    LOG.warning("requeueing message " + messageId(properties) + " still held: " + h.why());
                    requeueQuietly(tag);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requeueQuietly(tag);
        } catch (Exception e) {
            // Unexpected (broker gone, crash point): leave the request to be redelivered.
            LOG.log(Level.WARNING, "processing message " + messageId(properties) + " failed: "
                    + CardNumbers.redact(String.valueOf(e.getMessage())));
            requeueQuietly(tag);
        }
    }

    /**
     * A payment request only from the edge it names, a refund request only from cloud-sync's user (see
     * {@link Authors}); null when the author may send it, or when the body does not decode (the processor
     * dead-letters that with the codec's reason).
     */
    private Decision refusedAuthor(String routingKey, AMQP.BasicProperties properties, byte[] body) {
        org.openparking.protocol.Envelope request;
        try {
            request = MessageCodec.decode(body);
        } catch (ProtocolException e) {
            return null;
        }
        try {
            authors.check(properties == null ? null : properties.getUserId(), request, routingKey);
            return null;
        } catch (Authors.Refused e) {
            return new Decision.DeadLetter(e.reason().name(), e.getMessage());
        }
    }

    private static String messageId(AMQP.BasicProperties properties) {
        return properties == null ? null : properties.getMessageId();
    }

    private void requeueQuietly(long tag) {
        try {
            if (getChannel().isOpen()) {
                acks.requeue(tag);
            }
        } catch (IOException | RuntimeException ignored) {
            // the channel is gone: the broker requeues every unacked delivery by itself
        }
    }
}
