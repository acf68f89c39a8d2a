package org.openparking.edge.sync;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.github.resilience4j.core.IntervalFunction;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.store.Database;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.EdgeStatus;
import org.openparking.edge.store.StoreException;
import org.openparking.protocol.Envelope;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;

/**
 * Ships outbox rows to RabbitMQ on its own thread (offline-first rule 2): unsent rows in {@code seq}
 * order, published with confirms, many in flight; a row is marked sent only when the broker confirmed
 * it. A nack, a confirm timeout, an unroutable return or a lost connection leaves the row unsent and
 * counts a failed attempt on it; it is sent again, never dropped. Duplicates on the wire are possible
 * (a confirm lost with the connection): consumers deduplicate by message id.
 *
 * <p>The relay owns the broker connection: it connects with exponential backoff, declares what it
 * publishes to and the edge's queue, and attaches the {@link EdgeQueueConsumer} to each new connection.
 * Lanes never wait on it: they write rows and the commit wakes the relay.
 */
final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class.getName());
    /** Sent rows pruned per transaction, so pruning never holds the writer lock for long. */
    private static final int PRUNE_CHUNK = 2000;

    private final Database db;
    private final SyncSettings settings;
    private final String edgeId;
    private final SyncState state;
    private final EdgeQueueConsumer consumer;
    private final Clock clock;
    private final ConnectionFactory factory;
    private final IntervalFunction backoff;
    private final Semaphore wake = new Semaphore(0);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    // Per channel. The confirm listener (connection thread) moves entries from outstanding to the
    // queues; only the relay thread touches the database and the cursor.
    private final ConcurrentNavigableMap<Long, InFlight> outstanding = new ConcurrentSkipListMap<>();
    private final Set<Long> inFlightSeqs = ConcurrentHashMap.newKeySet();
    private final Set<Long> returned = ConcurrentHashMap.newKeySet();
    private final Queue<InFlight> acked = new ConcurrentLinkedQueue<>();
    private final Queue<Failure> failed = new ConcurrentLinkedQueue<>();
    private long cursor;
    private volatile Connection connection;
    private Channel channel;
    private long nextPruneNanos;
    private long nextStatusNanos;
    /** The jar's version (manifest), or "dev" when run from classes. */
    private static final String SOFTWARE_VERSION = java.util.Optional.ofNullable(
            OutboxRelay.class.getPackage().getImplementationVersion()).orElse("dev");
    /** After a failed delivery, publishing pauses briefly so an unroutable or nacked row is not resent in a hot loop. */
    private long resendNotBeforeNanos;

    private final MeterRegistry registry = Metrics.globalRegistry();
    private final Counter published;
    private final Timer confirmLatency;
    private final Gauge<Long> pending;

    private record InFlight(long seq, long publishedNanos) {
    }

    private record Failure(InFlight row, String reason) {
    }

    OutboxRelay(Database db, SyncSettings settings, String edgeId, SyncState state, EdgeQueueConsumer consumer,
                Clock clock) {
        this.db = db;
        this.settings = settings;
        this.edgeId = edgeId;
        this.state = state;
        this.consumer = consumer;
        this.clock = clock;
        this.factory = new ConnectionFactory();
        try {
            factory.setUri(settings.amqpUri());
        } catch (Exception e) {
            throw new IllegalArgumentException("cloud.amqp-uri is not a valid AMQP URI", e);
        }
        factory.setRequestedHeartbeat((int) settings.heartbeat().toSeconds());
        factory.setConnectionTimeout(5000);
        // We reconnect ourselves: a fresh channel, fresh confirm bookkeeping, every unsent row re-read.
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        this.backoff = IntervalFunction.ofExponentialBackoff(settings.backoffInitial(), 2.0, settings.backoffMax());
        Iterable<Tag> tags = List.of(Tag.create("edge", edgeId));
        this.published = registry.getOrCreate(Counter.builder("edge.outbox.published").tags(tags)
                .description("outbox rows confirmed by the broker"));
        this.confirmLatency = registry.getOrCreate(Timer.builder("edge.outbox.confirm.latency").tags(tags)
                .description("time from publish to broker confirm"));
        this.pending = registry.getOrCreate(Gauge.builder("edge.outbox.pending", state::pending).tags(tags)
                .description("outbox rows not yet confirmed"));
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
        nextPruneNanos = System.nanoTime();
        nextStatusNanos = nextPruneNanos;
        resendNotBeforeNanos = nextPruneNanos;
        while (stop.getCount() > 0) {
            try {
                if (connection == null || !connection.isOpen() || channel == null || !channel.isOpen()) {
                    if (connection != null) {
                        lost(connection.getCloseReason() == null ? "connection closed"
                                : describe(connection.getCloseReason()));
                    }
                    connect();
                    continue;
                }
                if (!consumer.healthy()) {
                    consumer.attach(connection);
                }
                pruneIfDue();
                statusIfDue();
                int settled = settle();
                int read = publishBatch();
                if (settled == 0 && read == 0) {
                    wake.tryAcquire(200, TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            } catch (IOException | ShutdownSignalException e) {
                lost(describe(e));
            } catch (StoreException e) {
                LOG.log(Level.WARNING, "outbox relay: database error, retrying", e);
                state.error("database: " + e.getMessage());
                pause(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "outbox relay: unexpected error, retrying", e);
                state.error(e.toString());
                pause(1000);
            }
        }
    }

    /**
     * A channel on which this edge's names exist. The edge declares its topology itself (idempotent), unless
     * the broker refuses (403): with the Ansible rabbitmq role the broker owns the topology and an edge may
     * configure nothing shared, so it only checks passively that what it uses is there.
     */
    private Channel declaredChannel(Connection c) throws IOException {
        Channel ch = c.createChannel();
        try {
            Topology.declareEdgePublishing(ch);
            Topology.declareEdgeQueue(ch, edgeId);
            return ch;
        } catch (IOException e) {
            if (!(e.getCause() instanceof ShutdownSignalException sse)
                    || !(sse.getReason() instanceof AMQP.Channel.Close close) || close.getReplyCode() != 403) {
                throw e;
            }
            LOG.info(() -> "broker refused declarations (" + close.getReplyText() + "): topology is managed by the"
                    + " broker, checking it passively");
            Channel passive = c.createChannel();
            passive.exchangeDeclarePassive(Topology.EVENTS_EXCHANGE);
            passive.exchangeDeclarePassive(Topology.PAYMENTS_EXCHANGE);
            passive.queueDeclarePassive(Topology.edgeQueue(edgeId));
            return passive;
        }
    }

    private void connect() throws InterruptedException {
        int attempt = 0;
        while (stop.getCount() > 0) {
            Connection c = null;
            try {
                c = factory.newConnection("edge-" + edgeId);
                Channel ch = declaredChannel(c);
                ch.confirmSelect();
                ch.addConfirmListener((tag, multiple) -> confirmed(tag, multiple, true),
                        (tag, multiple) -> confirmed(tag, multiple, false));
                ch.addReturnListener(r -> {
                    Object seq = r.getProperties().getHeaders() == null ? null
                            : r.getProperties().getHeaders().get("seq");
                    if (seq instanceof Number n) {
                        returned.add(n.longValue());
                    }
                });
                c.addShutdownListener(cause -> {
                    state.connected(false);
                    wake.release();
                });
                consumer.attach(c);
                resetChannelState();
                connection = c;
                channel = ch;
                state.connected(true);
                state.error(null);
                LOG.info(() -> "connected to the cloud broker as edge " + edgeId);
                return;
            } catch (IOException | TimeoutException | RuntimeException e) {
                closeQuietly(c);
                attempt++;
                long delay = backoff.apply(attempt);
                String why = describe(e);
                state.error("connect: " + why);
                if (attempt == 1 || attempt % 10 == 0) {
                    int n = attempt;
                    LOG.warning(() -> "cannot reach the cloud broker (attempt " + n + "): " + why
                            + "; retrying in " + delay + " ms");
                }
                if (stop.await(delay, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }
    }

    private void resetChannelState() {
        outstanding.clear();
        inFlightSeqs.clear();
        returned.clear();
        acked.clear();
        failed.clear();
        cursor = 0;
    }

    /** The connection or channel died: whatever was in flight is unconfirmed and will be sent again. */
    private void lost(String why) {
        state.connected(false);
        state.error(why);
        LOG.warning(() -> "cloud broker connection lost: " + why + " (" + outstanding.size() + " unconfirmed)");
        List<InFlight> ok = drain(acked);
        List<Failure> bad = new ArrayList<>(drain(failed));
        outstanding.values().forEach(r -> bad.add(new Failure(r, "connection lost: " + why)));
        try {
            markSent(ok);
            countFailures(bad);
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "cannot record the outcome of in-flight rows; they stay unsent", e);
        }
        resetChannelState();
        closeQuietly(connection);
        connection = null;
        channel = null;
    }

    private void confirmed(long tag, boolean multiple, boolean ack) {
        List<InFlight> rows = new ArrayList<>();
        if (multiple) {
            ConcurrentNavigableMap<Long, InFlight> head = outstanding.headMap(tag, true);
            rows.addAll(head.values());
            head.clear();
        } else {
            InFlight r = outstanding.remove(tag);
            if (r != null) {
                rows.add(r);
            }
        }
        for (InFlight r : rows) {
            if (!ack) {
                failed.add(new Failure(r, "nack from broker"));
            } else if (returned.remove(r.seq())) {
                // Confirmed but routed nowhere: nobody has it, so it is not sent.
                failed.add(new Failure(r, "unroutable: no queue bound for its routing key"));
            } else {
                acked.add(r);
            }
        }
        wake.release();
    }

    /** Marks confirmed rows sent and counts failed ones; returns how many outcomes it handled. */
    private int settle() {
        List<InFlight> ok = drain(acked);
        List<Failure> bad = new ArrayList<>(drain(failed));
        long now = System.nanoTime();
        long timeout = settings.confirmTimeout().toNanos();
        for (Map.Entry<Long, InFlight> e : outstanding.entrySet()) {
            if (now - e.getValue().publishedNanos() < timeout) {
                break;
            }
            if (outstanding.remove(e.getKey(), e.getValue())) {
                bad.add(new Failure(e.getValue(), "no confirm within " + settings.confirmTimeout()));
            }
        }
        try {
            markSent(ok);
        } catch (StoreException e) {
            acked.addAll(ok);
            failed.addAll(bad);
            throw e;
        }
        countFailures(bad);
        if (!bad.isEmpty()) {
            long first = bad.stream().mapToLong(f -> f.row().seq()).min().orElseThrow();
            cursor = Math.min(cursor, first - 1);
            resendNotBeforeNanos = System.nanoTime() + settings.backoffInitial().toNanos();
            state.error(bad.getFirst().reason());
        }
        return ok.size() + bad.size();
    }

    private void markSent(List<InFlight> rows) {
        if (rows.isEmpty()) {
            return;
        }
        Instant at = clock.instant();
        // Confirms mostly cover runs of consecutive seqs: one range statement per run.
        long[] seqs = rows.stream().mapToLong(InFlight::seq).sorted().toArray();
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE outbox SET sent_at = ? WHERE seq BETWEEN ? AND ? AND sent_at IS NULL")) {
                int i = 0;
                while (i < seqs.length) {
                    int j = i;
                    while (j + 1 < seqs.length && seqs[j + 1] == seqs[j] + 1) {
                        j++;
                    }
                    ps.setString(1, at.toString());
                    ps.setLong(2, seqs[i]);
                    ps.setLong(3, seqs[j]);
                    ps.addBatch();
                    i = j + 1;
                }
                ps.executeBatch();
            }
            return null;
        });
        long now = System.nanoTime();
        for (InFlight r : rows) {
            inFlightSeqs.remove(r.seq());
            confirmLatency.record(now - r.publishedNanos(), TimeUnit.NANOSECONDS);
        }
        published.increment(rows.size());
        state.confirmed(at);
    }

    private void countFailures(List<Failure> failures) {
        if (failures.isEmpty()) {
            return;
        }
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? AND sent_at IS NULL")) {
                for (Failure f : failures) {
                    ps.setString(1, truncate(f.reason()));
                    ps.setLong(2, f.row().seq());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        failures.forEach(f -> inFlightSeqs.remove(f.row().seq()));
        LOG.fine(() -> failures.size() + " rows will be sent again: " + failures.getFirst().reason());
    }

    /** Publishes the next unsent rows after the cursor; returns how many rows it read. */
    private int publishBatch() throws IOException {
        int room = settings.maxInFlight() - inFlightSeqs.size();
        if (room <= 0 || System.nanoTime() - resendNotBeforeNanos < 0) {
            return 0;
        }
        int limit = Math.min(room, settings.batchSize());
        long after = cursor;
        List<Row> rows = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT seq, message_id, type, exchange, routing_key, body, created_at FROM outbox
                    WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?""")) {
                ps.setLong(1, after);
                ps.setInt(2, limit);
                List<Row> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getBytes(6), rs.getString(7)));
                    }
                }
                return result;
            }
        });
        for (Row r : rows) {
            cursor = r.seq();
            if (!inFlightSeqs.add(r.seq())) {
                continue; // still awaiting its confirm from an earlier publish
            }
            long tag = channel.getNextPublishSeqNo();
            outstanding.put(tag, new InFlight(r.seq(), System.nanoTime()));
            channel.basicPublish(r.exchange(), r.routingKey(), true, properties(r), r.body());
        }
        return rows.size();
    }

    private record Row(long seq, String messageId, String type, String exchange, String routingKey, byte[] body,
                       String createdAt) {
    }

    /** The properties {@link AmqpEnvelopes#properties} gives, built from the row without decoding the body. */
    private AMQP.BasicProperties properties(Row r) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("edge-id", edgeId);
        headers.put("seq", r.seq());
        headers.put("schema-version", Envelope.SCHEMA_VERSION);
        return new AMQP.BasicProperties.Builder()
                .messageId(r.messageId())
                .type(r.type())
                .contentType(AmqpEnvelopes.CONTENT_TYPE)
                .deliveryMode(2)
                .timestamp(Date.from(Instant.parse(r.createdAt())))
                .headers(headers)
                .build();
    }

    /** Deletes sent rows older than the retention, in small transactions; unsent rows are never touched. */
    /**
     * Publishes an {@code edge.status} snapshot every three heartbeats while connected, outside the
     * outbox (a snapshot needs no durability: the next one replaces it) and outside the event sequence
     * (seq 0). Its confirm, if any, matches no outbox row and is ignored.
     */
    private void statusIfDue() throws IOException {
        long now = System.nanoTime();
        if (now - nextStatusNanos < 0) {
            return;
        }
        nextStatusNanos = now + settings.heartbeat().multipliedBy(3).toNanos();
        SyncStatus s = state.status();
        int dot = edgeId.indexOf('.');
        Envelope envelope = Envelope.of(edgeId, edgeId.substring(0, dot), edgeId.substring(dot + 1), 0,
                clock.instant(), new EdgeStatus(SOFTWARE_VERSION, s.state().name(), s.outboxPending(),
                        s.oldestPendingAgeSeconds()));
        channel.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(envelope.lotId(), envelope.levelId(),
                envelope.type()), false, AmqpEnvelopes.properties(envelope), MessageCodec.encode(envelope));
    }

    private void pruneIfDue() {
        long now = System.nanoTime();
        if (now - nextPruneNanos < 0) {
            return;
        }
        nextPruneNanos = now + settings.pruneInterval().toNanos();
        String before = clock.instant().minus(settings.retention()).toString();
        int total = 0;
        int deleted;
        do {
            deleted = db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("""
                        DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox
                        WHERE sent_at IS NOT NULL AND sent_at < ? ORDER BY seq LIMIT ?)""")) {
                    ps.setString(1, before);
                    ps.setInt(2, PRUNE_CHUNK);
                    return ps.executeUpdate();
                }
            });
            total += deleted;
        } while (deleted == PRUNE_CHUNK && stop.getCount() > 0);
        if (total > 0) {
            int n = total;
            LOG.info(() -> "pruned " + n + " sent outbox rows older than " + settings.retention());
        }
    }

    private static <T> List<T> drain(Queue<T> q) {
        List<T> result = new ArrayList<>();
        for (T t; (t = q.poll()) != null; ) {
            result.add(t);
        }
        return result;
    }

    private void pause(long millis) {
        try {
            stop.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.abort(2000);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "abort failed", e);
            }
        }
    }

    @Override
    public void close() {
        stop.countDown();
        wake.release();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Connection c = connection;
        if (c != null && c.isOpen()) {
            try {
                c.close(2000);
            } catch (IOException | RuntimeException e) {
                c.abort(1000);
            }
        }
        state.connected(false);
        registry.remove(published);
        registry.remove(confirmLatency);
        registry.remove(pending);
    }
}
