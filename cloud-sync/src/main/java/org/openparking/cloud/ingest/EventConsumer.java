package org.openparking.cloud.ingest;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
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
import org.openparking.platform.amqp.DeadLetters;
import org.openparking.platform.amqp.Topology;

/**
 * Consumes {@code cloud-sync.events} with several competing consumer channels. Deliveries are
 * decoded and applied in PostgreSQL (what has arrived on a channel, up to its prefetch, in one
 * transaction) and each is acked only after that commit. Poison goes to
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
    private final List<Thread> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
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
                    new ChannelWorker(ch));
        }
        LOG.info(() -> "consuming " + Topology.CLOUD_SYNC_QUEUE + " with " + settings.consumers()
                + " consumers, prefetch " + settings.prefetch());
    }

    /** A delivery waiting for its channel's worker. */
    private record Received(long tag, String routingKey, AMQP.BasicProperties properties, byte[] body) {
    }

    /**
     * Hands deliveries to a worker thread of its own: the worker takes whatever has arrived (up
     * to the prefetch) and applies it in one transaction, so a backlog drains with one commit per
     * batch instead of one per event. Only the worker acks, nacks and publishes on the channel.
     */
    private final class ChannelWorker extends DefaultConsumer {
        private final BlockingQueue<Received> inbound = new LinkedBlockingQueue<>();

        ChannelWorker(Channel channel) {
            super(channel);
            workers.add(Thread.ofPlatform().name("cloud-sync-apply-" + channel.getChannelNumber()).daemon(true)
                    .start(this::run));
        }

        @Override
        public void handleDelivery(String consumerTag, com.rabbitmq.client.Envelope amqp,
                                   AMQP.BasicProperties properties, byte[] body) {
            inbound.add(new Received(amqp.getDeliveryTag(), amqp.getRoutingKey(), properties, body));
        }

        private void run() {
            List<Received> batch = new ArrayList<>();
            while (running) {
                try {
                    batch.add(inbound.take());
                    inbound.drainTo(batch, Math.min(settings.prefetch(), settings.maxBatch()) - 1);
                    handleBatch(getChannel(), batch);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    // The channel failed (closed, confirm lost): unacked deliveries come back by themselves.
                    LOG.log(Level.WARNING, "consumer channel failed; its unacked deliveries will be redelivered", e);
                } finally {
                    batch.clear();
                }
            }
        }
    }

    private void handleBatch(Channel ch, List<Received> batch) throws IOException {
        List<Received> valid = new ArrayList<>();
        List<EventApplier.Item> items = new ArrayList<>();
        for (Received r : batch) {
            try {
                Envelope envelope = MessageCodec.decode(r.body());
                boolean fromEdge = r.routingKey().startsWith("edge.");
                validate(envelope, fromEdge);
                valid.add(r);
                items.add(new EventApplier.Item(envelope, fromEdge));
            } catch (ProtocolException e) {
                deadLetter(ch, r.tag(), r.properties(), r.body(), e.getMessage());
            } catch (InvalidEventException e) {
                deadLetter(ch, r.tag(), r.properties(), r.body(), "INVALID_EVENT: " + e.getMessage());
            }
        }
        if (items.isEmpty()) {
            return;
        }
        List<EventApplier.Outcome> outcomes;
        try {
            outcomes = applier.applyAll(items);
        } catch (SQLException e) {
            if (Jdbc.isDataError(e) && items.size() > 1) {
                // One of them is refused as data: apply one by one so only that one is dead-lettered.
                for (int i = 0; i < items.size(); i++) {
                    Received r = valid.get(i);
                    handleOne(ch, r, items.get(i));
                }
            } else if (Jdbc.isDataError(e)) {
                deadLetter(ch, valid.getFirst().tag(), valid.getFirst().properties(), valid.getFirst().body(),
                        "REJECTED_BY_DATABASE: " + e.getMessage());
            } else {
                handBack(ch, valid, items, e);
            }
            return;
        } catch (RuntimeException e) {
            // Not known to be the messages' fault: keep them rather than lose them.
            handBack(ch, valid, items, e);
            return;
        }
        consecutiveFailures.set(0);
        for (int i = 0; i < items.size(); i++) {
            if (!acknowledge(ch, valid.get(i).tag(), items.get(i).envelope(), outcomes.get(i))) {
                return;
            }
        }
    }

    private void handleOne(Channel ch, Received r, EventApplier.Item item) throws IOException {
        EventApplier.Outcome outcome;
        try {
            outcome = applier.applyAll(List.of(item)).getFirst();
        } catch (SQLException e) {
            if (Jdbc.isDataError(e)) {
                deadLetter(ch, r.tag(), r.properties(), r.body(), "REJECTED_BY_DATABASE: " + e.getMessage());
            } else {
                handBack(ch, List.of(r), List.of(item), e);
            }
            return;
        } catch (RuntimeException e) {
            handBack(ch, List.of(r), List.of(item), e);
            return;
        }
        acknowledge(ch, r.tag(), item.envelope(), outcome);
    }

    /** Acks a committed delivery; false if the after-commit hook stopped us (test seam). */
    private boolean acknowledge(Channel ch, long tag, Envelope envelope, EventApplier.Outcome outcome)
            throws IOException {
        try {
            hook.afterCommit(envelope, ch);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "after-commit hook failed", e);
            return false;
        }
        ch.basicAck(tag, false);
        if (outcome == EventApplier.Outcome.DUPLICATE) {
            stats.duplicate();
        } else {
            stats.applied();
        }
        return true;
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

    private void handBack(Channel ch, List<Received> deliveries, List<EventApplier.Item> items, Exception cause)
            throws IOException {
        int failures = consecutiveFailures.incrementAndGet();
        long wait = backoff.apply(Math.min(failures, 20));
        Envelope first = items.getFirst().envelope();
        LOG.log(Level.WARNING, "cannot apply " + items.size() + " event(s) from " + first.type() + " " + first.id()
                + " (failure " + failures + "), handing them back in " + wait + " ms: " + cause);
        try {
            // Pausing this consumer's worker is the backoff: no busy redelivery loop while PostgreSQL is down.
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Received r : deliveries) {
            ch.basicNack(r.tag(), false, true);
            stats.requeued();
        }
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
        workers.forEach(Thread::interrupt);
        pool.shutdownNow();
    }
}
