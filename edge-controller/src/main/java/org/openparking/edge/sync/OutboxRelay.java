package org.openparking.edge.sync;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.platform.jdbc.Database;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.EdgeStatus;
import org.openparking.platform.jdbc.StoreException;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.BrokerLink;
import org.openparking.platform.amqp.BrokerSettings;
import org.openparking.platform.amqp.ConfirmWindow;
import org.openparking.platform.amqp.Outgoing;
import org.openparking.platform.outbox.OutboxStore;
import org.openparking.protocol.Envelope;

/**
 * Ships outbox rows to RabbitMQ on its own thread (offline-first rule 2): unsent rows in {@code seq}
 * order, published with confirms, many in flight; a row is marked sent only when the broker confirmed
 * it. A nack, a confirm timeout, an unroutable return or a lost connection leaves the row unsent and
 * counts a failed attempt on it; it is sent again, never dropped. Duplicates on the wire are possible
 * (a confirm lost with the connection): consumers deduplicate by message id.
 *
 * <p>The connection policy is the platform's {@link BrokerLink}; the SQL is the {@link OutboxStore};
 * the confirm bookkeeping is a {@link ConfirmWindow}. Lanes never wait on the relay: they write rows and
 * the commit wakes it.
 */
final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class.getName());

    private final Database db;
    private final OutboxStore store;
    private final SyncSettings settings;
    private final BrokerSettings broker;
    private final String edgeId;
    private final SyncState state;
    private final List<LinkUser> users;
    private final RelayMetrics metrics;
    private final Clock clock;
    private final Semaphore wake = new Semaphore(0);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    /** Links lost so far (written by the client's thread); the relay settles each loss once. */
    private final AtomicInteger losses = new AtomicInteger();
    private int lossesSettled;

    /** Rows published and not yet settled in the database; only the relay thread touches it. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private long cursor;
    private volatile BrokerLink link;
    private Channel channel;
    private ConfirmWindow window;
    /** After a failed delivery, publishing pauses briefly so an unroutable or nacked row is not resent in a hot loop. */
    private long resendNotBeforeNanos;

    OutboxRelay(Database db, OutboxStore store, SyncSettings settings, String edgeId, SyncState state,
                List<LinkUser> users, RelayMetrics metrics, Clock clock) {
        this.db = db;
        this.store = store;
        this.settings = settings;
        // Built here, on the caller's thread, so a bad value stops the start instead of the relay thread.
        this.broker = settings.broker();
        this.edgeId = edgeId;
        this.state = state;
        this.users = users;
        this.metrics = metrics;
        this.clock = clock;
        this.thread = new Thread(this::run, "outbox-relay");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Called after every commit: new rows may be waiting. Never blocks. */
    void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    private void run() {
        resendNotBeforeNanos = System.nanoTime();
        try {
            link = BrokerLink.open(broker, "edge-" + edgeId, null, () -> stop.getCount() > 0,
                    why -> state.error("connect: " + why));
        } catch (InterruptedException e) {
            return;
        }
        if (link == null) {
            return;
        }
        link.onDown(why -> {
            state.connected(false);
            state.error(why);
            losses.incrementAndGet();
            wake.release();
        });
        link.onRecovered(() -> {
            state.connected(true);
            wake.release();
        });
        while (stop.getCount() > 0) {
            try {
                if (lossesSettled != losses.get() || (window != null && window.lost())) {
                    lossesSettled = losses.get();
                    lost("connection lost");
                }
                if (!link.isUp()) {
                    wake.tryAcquire(200, TimeUnit.MILLISECONDS);
                    continue;
                }
                if (channel == null || !channel.isOpen()) {
                    openChannel();
                    continue;
                }
                for (LinkUser u : users) {
                    if (!u.healthy()) {
                        u.attach(link);
                    }
                }
                int settled = settle();
                int read = publishBatch();
                if (settled == 0 && read == 0) {
                    wake.tryAcquire(200, TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof StoreException) {
                    LOG.log(Level.WARNING, "outbox relay: database error, retrying", e);
                    state.error("database: " + e.getMessage());
                    pause(1000);
                } else if (link.isUp() && channel != null && channel.isOpen() && window != null && !window.lost()) {
                    LOG.log(Level.SEVERE, "outbox relay: unexpected error, retrying", e);
                    state.error(e.toString());
                    pause(1000);
                } else {
                    lost(e.toString());
                    if (link.isUp()) {
                        // The link is fine but the channel could not be set up (e.g. a passive check failed).
                        LOG.log(Level.WARNING, "outbox relay: cannot open a publishing channel, retrying", e);
                        state.error(e.toString());
                        pause(1000);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A channel with the edge's topology and a confirm window, and the link's users attached. */
    private void openChannel() throws IOException {
        boolean first = channel == null;
        if (!first) {
            lost("channel closed: " + channel.getCloseReason());
        }
        Channel ch = EdgeTopology.declaredChannel(link, edgeId);
        window = ConfirmWindow.on(ch, link.user(), wake::release);
        channel = ch;
        cursor = 0;
        if (first) {
            for (LinkUser u : users) {
                u.attach(link);
            }
        }
        state.connected(true);
        state.error(null);
        LOG.info(() -> "connected to the cloud broker as edge " + edgeId);
    }

    /** The connection or channel died: whatever was in flight is unconfirmed and will be sent again. */
    private void lost(String why) {
        if (window == null) {
            return;
        }
        if (!link.isUp()) {
            state.connected(false);
        }
        ConfirmWindow.Outcomes outcomes = window.abandon(why);
        LOG.warning(() -> "cloud broker link lost: " + why + " (" + outcomes.failed().size() + " unconfirmed)");
        try {
            record(outcomes);
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "cannot record the outcome of in-flight rows; they stay unsent", e);
        }
        inFlight.clear();
        cursor = 0;
    }

    /** Marks confirmed rows sent and counts failed ones; returns how many outcomes it handled. */
    private int settle() {
        ConfirmWindow.Outcomes outcomes = window.settle(settings.confirmTimeout());
        try {
            record(outcomes);
        } catch (StoreException e) {
            forget(outcomes);
            throw e;
        }
        if (!outcomes.failed().isEmpty()) {
            long first = outcomes.failed().stream().mapToLong(ConfirmWindow.Failed::key).min().orElseThrow();
            cursor = Math.min(cursor, first - 1);
            resendNotBeforeNanos = System.nanoTime() + settings.backoffInitial().toNanos();
            state.error(outcomes.failed().getFirst().reason());
        }
        return outcomes.size();
    }

    private void record(ConfirmWindow.Outcomes outcomes) {
        List<ConfirmWindow.Confirmed> ok = outcomes.confirmed();
        List<ConfirmWindow.Failed> bad = outcomes.failed();
        if (!ok.isEmpty()) {
            Instant at = clock.instant();
            long[] seqs = ok.stream().mapToLong(ConfirmWindow.Confirmed::key).toArray();
            db.write(c -> store.markSent(c, seqs, at));
            long now = System.nanoTime();
            for (ConfirmWindow.Confirmed r : ok) {
                inFlight.remove(r.key());
                metrics.confirmed(now - r.publishedNanos());
            }
            metrics.published(ok.size());
            state.confirmed(at);
        }
        if (!bad.isEmpty()) {
            List<OutboxStore.Failure> failures = new ArrayList<>();
            bad.forEach(f -> failures.add(new OutboxStore.Failure(f.key(), f.reason())));
            db.write(c -> store.recordFailures(c, failures));
            bad.forEach(f -> inFlight.remove(f.key()));
            LOG.fine(() -> bad.size() + " rows will be sent again: " + bad.getFirst().reason());
        }
    }

    /** Outcomes the database could not take: the rows stay unsent and are read and published again. */
    private void forget(ConfirmWindow.Outcomes outcomes) {
        long first = Long.MAX_VALUE;
        for (ConfirmWindow.Confirmed r : outcomes.confirmed()) {
            inFlight.remove(r.key());
            first = Math.min(first, r.key());
        }
        for (ConfirmWindow.Failed f : outcomes.failed()) {
            inFlight.remove(f.key());
            first = Math.min(first, f.key());
        }
        if (first != Long.MAX_VALUE) {
            cursor = Math.min(cursor, first - 1);
        }
    }

    /** Publishes the next unsent rows after the cursor; returns how many rows it read. */
    private int publishBatch() throws IOException {
        int room = settings.maxInFlight() - inFlight.size();
        if (room <= 0 || System.nanoTime() - resendNotBeforeNanos < 0) {
            return 0;
        }
        int limit = Math.min(room, settings.batchSize());
        long after = cursor;
        List<OutboxStore.Row> rows = db.read(c -> store.unsent(c, after, null, limit));
        for (OutboxStore.Row r : rows) {
            cursor = r.seq();
            if (!inFlight.add(r.seq())) {
                continue; // still awaiting its confirm from an earlier publish
            }
            window.publish(r.seq(), new Outgoing(r.exchange(), r.routingKey(), AmqpEnvelopes.properties(r.messageId(),
                    r.type(), Envelope.SCHEMA_VERSION, edgeId, r.seq(), r.createdAt()), r.body()));
        }
        return rows.size();
    }

    private void pause(long millis) {
        try {
            stop.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop.countDown();
        wake.release();
        // Wakes a connect retry waiting out its backoff.
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        BrokerLink l = link;
        if (l != null) {
            l.close();
        }
        state.connected(false);
    }
}
