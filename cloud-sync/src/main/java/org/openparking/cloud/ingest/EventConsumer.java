package org.openparking.cloud.ingest;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.platform.amqp.Acknowledger;
import org.openparking.platform.amqp.Authors;
import org.openparking.platform.amqp.BrokerLink;
import org.openparking.platform.amqp.BrokerSettings;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.ProtocolException;

/**
 * Consumes {@code cloud-sync.events} with several competing consumer channels. Deliveries are
 * decoded and applied in PostgreSQL (what has arrived on a channel, up to its prefetch, in one
 * transaction) and each is acked only after that commit. Poison goes to
 * {@code parking.dlx} with a reason (published with confirms, then acked); a delivery PostgreSQL
 * could not take is handed back (nack, requeue) after a backoff, never acked and never
 * dead-lettered. Whether its author (the AMQP {@code user_id}) may say what it says is checked by the
 * broker settings' {@link Authors}; a refused delivery is dead-lettered with the reason and changes nothing.
 */
public final class EventConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventConsumer.class.getName());

    private final BrokerSettings broker;
    private final EventApplier applier;
    private final ConsumerSettings settings;
    private final IngestStats stats;
    private final AfterCommitHook hook;
    private final ExecutorService pool;
    private volatile boolean running;
    private volatile BrokerLink link;
    private final List<Thread> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Thread starter;

    public EventConsumer(BrokerSettings broker, EventApplier applier, ConsumerSettings settings,
                         IngestStats stats, AfterCommitHook hook) {
        this.broker = broker;
        this.applier = applier;
        this.settings = settings;
        this.stats = stats;
        this.hook = hook;
        this.pool = Executors.newFixedThreadPool(settings.consumers(), Thread.ofPlatform()
                .name("cloud-sync-consumer-", 0).daemon(true).factory());
    }

    /** Connects in the background (retrying while the broker is down) and starts consuming. */
    public synchronized void start() {
        running = true;
        starter = Thread.ofPlatform().name("cloud-sync-amqp-start").daemon(true).start(() -> {
            try {
                BrokerLink l = BrokerLink.open(broker, "cloud-sync-consumer", pool, () -> running, null);
                if (l == null) {
                    return;
                }
                link = l;
                subscribe(l);
                if (!running) {
                    l.abort();
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
        BrokerLink l = link;
        return l != null && l.isUp();
    }

    public IngestStats stats() {
        return stats;
    }

    private void subscribe(BrokerLink l) throws IOException {
        Channel setup = l.createChannel();
        Topology.declareCloudSync(setup);
        try {
            setup.close();
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
        for (int i = 0; i < settings.consumers(); i++) {
            Channel ch = l.createChannel();
            ch.basicQos(settings.prefetch());
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
        private final Acknowledger acks;

        ChannelWorker(Channel channel) throws IOException {
            super(channel);
            // Dead letters go out on the consume channel itself, in confirm mode.
            this.acks = Acknowledger.create(channel, channel, Topology.CLOUD_SYNC_QUEUE, Duration.ofMillis(100),
                    settings.requeueBackoffMax(), Thread::sleep);
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
                    handleBatch(getChannel(), acks, batch);
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

    private void handleBatch(Channel ch, Acknowledger acks, List<Received> batch) throws IOException {
        List<Received> valid = new ArrayList<>();
        List<EventApplier.Item> items = new ArrayList<>();
        for (Received r : batch) {
            try {
                Envelope envelope = MessageCodec.decode(r.body());
                boolean fromEdge = r.routingKey().startsWith("edge.");
                validate(envelope, fromEdge);
                broker.authors().check(r.properties() == null ? null : r.properties().getUserId(), envelope,
                        r.routingKey());
                valid.add(r);
                items.add(new EventApplier.Item(envelope, fromEdge));
            } catch (ProtocolException e) {
                deadLetter(acks, r.tag(), r.properties(), r.body(), e.getMessage());
            } catch (InvalidEventException e) {
                deadLetter(acks, r.tag(), r.properties(), r.body(), "INVALID_EVENT: " + e.getMessage());
            } catch (Authors.Refused e) {
                deadLetter(acks, r.tag(), r.properties(), r.body(), e.getMessage());
            }
        }
        if (items.isEmpty()) {
            return;
        }
        List<EventApplier.Outcome> outcomes;
        try {
            outcomes = applier.applyAll(items);
        } catch (SQLException e) {
            if (poison(e) && items.size() > 1) {
                // One of them is refused as data: apply one by one so only that one is dead-lettered.
                for (int i = 0; i < items.size(); i++) {
                    Received r = valid.get(i);
                    handleOne(ch, acks, r, items.get(i));
                }
            } else if (poison(e)) {
                deadLetter(acks, valid.getFirst().tag(), valid.getFirst().properties(), valid.getFirst().body(),
                        "REJECTED_BY_DATABASE: " + e.getMessage());
            } else {
                handBack(acks, valid, items, e);
            }
            return;
        } catch (RuntimeException e) {
            // Not known to be the messages' fault: keep them rather than lose them.
            handBack(acks, valid, items, e);
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            if (!acknowledge(ch, acks, valid.get(i).tag(), items.get(i).envelope(), outcomes.get(i))) {
                return;
            }
        }
    }

    private void handleOne(Channel ch, Acknowledger acks, Received r, EventApplier.Item item) throws IOException {
        EventApplier.Outcome outcome;
        try {
            outcome = applier.applyAll(List.of(item)).getFirst();
        } catch (SQLException e) {
            if (poison(e)) {
                deadLetter(acks, r.tag(), r.properties(), r.body(), "REJECTED_BY_DATABASE: " + e.getMessage());
            } else {
                handBack(acks, List.of(r), List.of(item), e);
            }
            return;
        } catch (RuntimeException e) {
            handBack(acks, List.of(r), List.of(item), e);
            return;
        }
        acknowledge(ch, acks, r.tag(), item.envelope(), outcome);
    }

    /** Acks a committed delivery; false if the after-commit hook stopped us (test seam). */
    private boolean acknowledge(Channel ch, Acknowledger acks, long tag, Envelope envelope, EventApplier.Outcome outcome)
            throws IOException {
        try {
            hook.afterCommit(envelope, ch);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "after-commit hook failed", e);
            return false;
        }
        acks.ack(tag);
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

    /**
     * Refused by PostgreSQL because of what the message holds, so a redelivery fails the same way: a data
     * or integrity error (22, 23), or a program limit such as a row too large for an index (54).
     */
    static boolean poison(SQLException e) {
        String state = e.getSQLState();
        return Jdbc.isDataError(e) || (state != null && state.startsWith("54"));
    }

    private void handBack(Acknowledger acks, List<Received> deliveries, List<EventApplier.Item> items,
                          Exception cause) throws IOException {
        long wait = acks.nextPause();
        Envelope first = items.getFirst().envelope();
        LOG.log(Level.WARNING, "cannot apply " + items.size() + " event(s) from " + first.type() + " " + first.id()
                + ", handing them back in " + wait + " ms: " + cause);
        // Pausing this consumer's worker is the backoff: no busy redelivery loop while PostgreSQL is down.
        acks.requeue(deliveries.stream().map(Received::tag).toList());
        deliveries.forEach(r -> stats.requeued());
    }

    private void deadLetter(Acknowledger acks, long tag, AMQP.BasicProperties properties, byte[] body, String reason)
            throws IOException {
        if (acks.deadLetter(tag, properties, body, reason)) {
            stats.deadLettered();
        }
    }

    /** Stops consuming: unacked deliveries go back to the queue. */
    @Override
    public synchronized void close() {
        running = false;
        if (starter != null) {
            starter.interrupt();
        }
        BrokerLink l = link;
        if (l != null) {
            l.abort();
        }
        workers.forEach(Thread::interrupt);
        pool.shutdownNow();
    }
}
