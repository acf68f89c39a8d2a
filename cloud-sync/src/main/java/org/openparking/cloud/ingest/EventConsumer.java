package org.openparking.cloud.ingest;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.cloud.amqp.AmqpConnector;
import org.openparking.cloud.store.Jdbc;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.ProtocolException;
import org.openparking.protocol.amqp.DeadLetters;
import org.openparking.protocol.amqp.Topology;

/**
 * Consumes {@code cloud-sync.events} with several competing consumer channels. Each delivery is
 * decoded, applied in one PostgreSQL transaction and acked only after the commit. Poison goes to
 * {@code parking.dlx} with a reason (published with confirms, then acked); a delivery PostgreSQL
 * could not take is handed back (nack, requeue) after a backoff, never acked and never
 * dead-lettered.
 */
public final class EventConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventConsumer.class.getName());
    private static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

    private final AmqpConnector connector;
    private final EventApplier applier;
    private final ConsumerSettings settings;
    private final IngestStats stats;
    private final AfterCommitHook hook;
    private final IntervalFunction backoff;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final ExecutorService pool;
    private volatile boolean running;
    private volatile Connection connection;
    private Thread starter;

    public EventConsumer(AmqpConnector connector, EventApplier applier, ConsumerSettings settings,
                         IngestStats stats, AfterCommitHook hook) {
        this.connector = connector;
        this.applier = applier;
        this.settings = settings;
        this.stats = stats;
        this.hook = hook;
        this.backoff = IntervalFunction.ofExponentialBackoff(100, 2.0, settings.maxBackoffMillis());
        this.pool = Executors.newFixedThreadPool(settings.consumers(), Thread.ofPlatform()
                .name("cloud-sync-consumer-", 0).daemon(true).factory());
    }

    /** Connects in the background (retrying while the broker is down) and starts consuming. */
    public synchronized void start() {
        running = true;
        starter = Thread.ofPlatform().name("cloud-sync-amqp-start").daemon(true).start(() -> {
            try {
                Connection c = connector.connectWithRetry("cloud-sync-consumer", pool, () -> running);
                if (c == null) {
                    return;
                }
                connection = c;
                subscribe(c);
                if (!running) {
                    c.abort();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                LOG.log(Level.SEVERE, "cannot subscribe to " + Topology.CLOUD_SYNC_QUEUE, e);
            }
        });
    }

    /** Whether the consumer currently holds an open broker connection. */
    public boolean isConnected() {
        Connection c = connection;
        return c != null && c.isOpen();
    }

    public IngestStats stats() {
        return stats;
    }

    private void subscribe(Connection c) throws IOException {
        Channel setup = c.createChannel();
        Topology.declareCloudSync(setup);
        try {
            setup.close();
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
        for (int i = 0; i < settings.consumers(); i++) {
            Channel ch = c.createChannel();
            ch.basicQos(settings.prefetch());
            ch.confirmSelect();
            ch.basicConsume(Topology.CLOUD_SYNC_QUEUE, false, "cloud-sync-" + i + "-" + ch.getChannelNumber(),
                    new Delivery(ch));
        }
        LOG.info(() -> "consuming " + Topology.CLOUD_SYNC_QUEUE + " with " + settings.consumers()
                + " consumers, prefetch " + settings.prefetch());
    }

    private final class Delivery extends DefaultConsumer {
        Delivery(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String consumerTag, com.rabbitmq.client.Envelope amqp,
                                   AMQP.BasicProperties properties, byte[] body) throws IOException {
            handle(getChannel(), amqp, properties, body);
        }
    }

    private void handle(Channel ch, com.rabbitmq.client.Envelope amqp, AMQP.BasicProperties properties,
                        byte[] body) throws IOException {
        long tag = amqp.getDeliveryTag();
        String routingKey = amqp.getRoutingKey();
        boolean fromEdge = routingKey.startsWith("edge.");
        Envelope envelope;
        try {
            envelope = MessageCodec.decode(body);
            validate(envelope, fromEdge);
        } catch (ProtocolException e) {
            deadLetter(ch, tag, properties, body, e.getMessage());
            return;
        } catch (InvalidEventException e) {
            deadLetter(ch, tag, properties, body, "INVALID_EVENT: " + e.getMessage());
            return;
        }
        EventApplier.Outcome outcome;
        try {
            outcome = applier.apply(envelope, fromEdge);
        } catch (SQLException e) {
            if (Jdbc.isDataError(e)) {
                deadLetter(ch, tag, properties, body, "REJECTED_BY_DATABASE: " + e.getMessage());
            } else {
                handBack(ch, tag, envelope, e);
            }
            return;
        } catch (InvalidEventException e) {
            deadLetter(ch, tag, properties, body, "INVALID_EVENT: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            // Not known to be the message's fault: keep it rather than lose it.
            handBack(ch, tag, envelope, e);
            return;
        }
        consecutiveFailures.set(0);
        try {
            hook.afterCommit(envelope, ch);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "after-commit hook failed", e);
            return;
        }
        ch.basicAck(tag, false);
        if (outcome == EventApplier.Outcome.DUPLICATE) {
            stats.duplicate();
        } else {
            stats.applied();
        }
    }

    private static void validate(Envelope envelope, boolean fromEdge) {
        if (envelope.payload() instanceof Message.Command) {
            throw new InvalidEventException("a command (" + envelope.type() + ") is not an event");
        }
        if (fromEdge && !envelope.edgeId().equals(Envelope.edgeId(envelope.lotId(), envelope.levelId()))) {
            throw new InvalidEventException("edgeId " + envelope.edgeId() + " does not match lot "
                    + envelope.lotId() + " and level " + envelope.levelId());
        }
    }

    private void handBack(Channel ch, long tag, Envelope envelope, Exception cause) throws IOException {
        int failures = consecutiveFailures.incrementAndGet();
        long wait = backoff.apply(Math.min(failures, 20));
        LOG.log(Level.WARNING, "cannot apply " + envelope.type() + " " + envelope.id() + " (failure " + failures
                + "), handing it back in " + wait + " ms: " + cause);
        try {
            // Pausing this consumer thread is the backoff: no busy redelivery loop while PostgreSQL is down.
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ch.basicNack(tag, false, true);
        stats.requeued();
    }

    private void deadLetter(Channel ch, long tag, AMQP.BasicProperties properties, byte[] body, String reason)
            throws IOException {
        LOG.warning(() -> "dead-lettering message " + (properties == null ? null : properties.getMessageId())
                + ": " + reason);
        DeadLetters.publish(ch, Topology.CLOUD_SYNC_QUEUE, properties, body, reason);
        try {
            ch.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
        } catch (InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // Not confirmed: leave the original unacked; it is redelivered when the channel closes.
            throw new IOException("dead-letter publish not confirmed", e);
        }
        ch.basicAck(tag, false);
        stats.deadLettered();
    }

    /** Stops consuming: unacked deliveries go back to the queue. */
    @Override
    public synchronized void close() {
        running = false;
        if (starter != null) {
            starter.interrupt();
        }
        Connection c = connection;
        if (c != null) {
            c.abort(5_000);
        }
        pool.shutdownNow();
    }
}
