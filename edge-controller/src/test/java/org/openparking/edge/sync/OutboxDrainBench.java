package org.openparking.edge.sync;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.edge.TestEdge;
import org.openparking.edge.store.EdgeDatabase;
import org.openparking.platform.jdbc.Database;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.VehicleType;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.Ports;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/**
 * Drain rate of an outbox backlog from SQLite to RabbitMQ through the real relay, beside a bare
 * amqp-client loop of persistent publishes with confirms (the ceiling) on the same broker, same run.
 * Not a test; the command is in edge-controller/SYNC.md. Argument: backlog size (default 100000). With
 * {@code -Dbench.cloud-sync-jar=cloud-sync/target/cloud-sync.jar} it also drains a second backlog of the same
 * size end to end, into the packaged cloud-sync and its PostgreSQL database.
 */
public final class OutboxDrainBench {
    private static final String LOT = "lot-bench";
    private static final String LEVEL = "L0";

    private OutboxDrainBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        List<String[]> table = new ArrayList<>();
        try (TestBroker broker = TestBroker.create()) {
            Path dir = Files.createTempDirectory("outbox-bench");
            Database db = EdgeDatabase.open(TestEdge.sqlite(dir.resolve("edge.db")));
            long t0 = System.nanoTime();
            fill(db, rows);
            double fillSeconds = seconds(t0);
            table.add(row("fill SQLite outbox (1000 rows per transaction)", rows, fillSeconds));

            ConsumerCount events = new ConsumerCount(broker.uri(), Topology.EVENTS_EXCHANGE, "edge.#");
            SyncState state = new SyncState(db, Clock.systemUTC(), true);
            EdgeQueueConsumer consumer = new EdgeQueueConsumer(LOT + "." + LEVEL, 50, db, null,
                    new PaymentRepository(), new PaymentResults(), state, Clock.systemUTC(),
                    SyncSettings.defaults(broker.uri()).authors());
            OutboxRelay relay = new OutboxRelay(db, org.openparking.platform.outbox.OutboxStore.sqlite(),
                    SyncSettings.defaults(broker.uri()), LOT + "." + LEVEL, state, java.util.List.of(consumer),
                    new RelayMetrics(io.helidon.metrics.api.Metrics.globalRegistry(), LOT + "." + LEVEL, state::pending),
                    Clock.systemUTC());
            long start = System.nanoTime();
            relay.start();
            double confirmedAt = 0;
            while (events.count() < rows || confirmedAt == 0) {
                if (confirmedAt == 0 && state.pending() == 0) {
                    confirmedAt = seconds(start);
                }
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            double consumedAt = seconds(start);
            relay.close();
            table.add(row("relay: SQLite -> broker, all confirmed and marked sent", rows, confirmedAt));
            table.add(row("relay: ... and all received by a consumer", rows, consumedAt));
            events.close();
            db.close();

            byte[] body = sampleBody();
            table.add(row("bare amqp-client: persistent publish + async confirms (1000 in flight)", rows,
                    bare(broker.uri(), rows, body, 1000)));
            table.add(row("bare amqp-client: persistent publish + confirm each (1 in flight)", Math.min(rows, 5000),
                    bare(broker.uri(), Math.min(rows, 5000), body, 1)));

            String cloudSyncJar = System.getProperty("bench.cloud-sync-jar");
            if (cloudSyncJar != null && Files.exists(Path.of(cloudSyncJar))) {
                table.add(row("end to end: edge SQLite -> relay -> RabbitMQ -> cloud-sync -> PostgreSQL", rows,
                        endToEnd(broker, Path.of(cloudSyncJar), rows)));
            }
        }
        System.out.printf("%n%-75s %9s %9s %12s%n", "what", "messages", "seconds", "msg/s");
        for (String[] r : table) {
            System.out.printf("%-75s %9s %9s %12s%n", (Object[]) r);
        }
    }

    /**
     * A second backlog of {@code rows} events drained by the relay into the packaged cloud-sync, running and
     * healthy before the relay starts: seconds from the relay's start until cloud-sync has stored every event
     * in order (its {@code contiguous_seq} for this edge reaches the last seq).
     */
    private static double endToEnd(TestBroker broker, Path jar, int rows) throws Exception {
        Path dir = Files.createTempDirectory("outbox-bench-e2e");
        try (TestDatabase pg = TestDatabase.create()) {
            int port = Ports.free();
            java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("DB_URL", pg.url(),
                    "AMQP_URI", broker.uri(), "SERVER_PORT", Integer.toString(port)));
            // -Dbench.cloud-sync-env=AMQP_CONSUMERS=1,AMQP_MAX_BATCH=100 to try cloud-sync's ingest settings
            for (String kv : System.getProperty("bench.cloud-sync-env", "").split(",")) {
                if (kv.contains("=")) {
                    env.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
                }
            }
            Process cloud = JavaProcess.start(jar, env, dir.resolve("cloud-sync.log"), "-Xmx512m");
            try {
                awaitHealthy(cloud, port, dir.resolve("cloud-sync.log"));
                Database db = EdgeDatabase.open(TestEdge.sqlite(dir.resolve("edge.db")));
                fill(db, rows);
                SyncState state = new SyncState(db, Clock.systemUTC(), true);
                EdgeQueueConsumer consumer = new EdgeQueueConsumer(LOT + "." + LEVEL, 50, db, null,
                        new PaymentRepository(), new PaymentResults(), state, Clock.systemUTC(),
                    SyncSettings.defaults(broker.uri()).authors());
                OutboxRelay relay = new OutboxRelay(db, org.openparking.platform.outbox.OutboxStore.sqlite(),
                        SyncSettings.defaults(broker.uri()), LOT + "." + LEVEL, state, java.util.List.of(consumer),
                        new RelayMetrics(io.helidon.metrics.api.Metrics.globalRegistry(), LOT + "." + LEVEL, state::pending),
                        Clock.systemUTC());
                long start = System.nanoTime();
                relay.start();
                try (java.sql.Connection c = pg.connect()) {
                    long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
                    while (stored(c) < rows) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("cloud-sync stored " + stored(c) + " of " + rows
                                    + " events in 20 minutes");
                        }
                        LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                    }
                }
                double seconds = seconds(start);
                relay.close();
                db.close();
                return seconds;
            } finally {
                cloud.destroy();
                cloud.waitFor();
            }
        }
    }

    private static long stored(java.sql.Connection c) throws java.sql.SQLException {
        try (var ps = c.prepareStatement("SELECT contiguous_seq FROM edges WHERE edge_id = ?")) {
            ps.setString(1, LOT + "." + LEVEL);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (java.sql.SQLException notYetMigrated) {
            return 0;
        }
    }

    private static void awaitHealthy(Process p, int port, Path log) throws Exception {
        TestHttp http = TestHttp.create();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (http.get("http://127.0.0.1:" + port + "/observe/health").status() == 200) {
                    return;
                }
            } catch (java.io.UncheckedIOException starting) {
                // not listening yet
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new IllegalStateException("cloud-sync did not become healthy; see " + log);
    }

    private static void fill(Database db, int rows) {
        Outbox outbox = new Outbox(LOT, LEVEL, Clock.systemUTC());
        for (int done = 0; done < rows; ) {
            int n = Math.min(1000, rows - done);
            db.write(c -> {
                for (int i = 0; i < n; i++) {
                    outbox.append(c, new SessionOpened(UUID.randomUUID().toString(), "in-1", "AB123",
                            VehicleType.STANDARD, Instant.now(), 1));
                }
                return null;
            });
            done += n;
        }
    }

    private static byte[] sampleBody() {
        return MessageCodec.encode(org.openparking.protocol.Envelope.of(LOT + "." + LEVEL, LOT, LEVEL, 1,
                Instant.now(), new SessionOpened(UUID.randomUUID().toString(), "in-1", "AB123", VehicleType.STANDARD,
                        Instant.now(), 1)));
    }

    /** Publishes {@code rows} persistent messages with confirms, at most {@code window} unconfirmed. */
    private static double bare(String uri, int rows, byte[] body, int window) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        try (Connection c = f.newConnection("bench-bare")) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare("bench.bare." + window, true, false, false,
                    Topology.quorum(null)).getQueue();
            ch.confirmSelect();
            Semaphore room = new Semaphore(window);
            java.util.concurrent.ConcurrentSkipListSet<Long> outstanding =
                    new java.util.concurrent.ConcurrentSkipListSet<>();
            ch.addConfirmListener((tag, multiple) -> release(outstanding, room, tag, multiple),
                    (tag, multiple) -> release(outstanding, room, tag, multiple));
            AMQP.BasicProperties props = AmqpEnvelopes.properties(org.openparking.protocol.Envelope.of("x.y", "x",
                    "y", 1, Instant.now(), new SessionOpened("s", "in-1", null, VehicleType.STANDARD, Instant.now(),
                            1)));
            long start = System.nanoTime();
            for (int i = 0; i < rows; i++) {
                room.acquire();
                outstanding.add(ch.getNextPublishSeqNo());
                ch.basicPublish("", q, props, body);
            }
            room.acquire(window);
            double s = seconds(start);
            ch.queueDelete(q);
            return s;
        }
    }

    private static void release(java.util.concurrent.ConcurrentSkipListSet<Long> outstanding, Semaphore room,
                                long tag, boolean multiple) {
        if (multiple) {
            var head = outstanding.headSet(tag, true);
            int n = head.size();
            head.clear();
            room.release(n);
        } else if (outstanding.remove(tag)) {
            room.release();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String[] row(String what, int n, double s) {
        return new String[] {what, String.valueOf(n), String.format("%.2f", s), String.format("%.0f", n / s)};
    }

    /** Counts messages on a queue bound to {@code exchange}. */
    private static final class ConsumerCount implements AutoCloseable {
        private final Connection connection;
        private final AtomicLong count = new AtomicLong();

        ConsumerCount(String uri, String exchange, String key) throws Exception {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(uri);
            connection = f.newConnection("bench-consumer");
            Channel ch = connection.createChannel();
            ch.exchangeDeclare(exchange, "topic", true);
            String q = ch.queueDeclare("bench.events", true, false, false, Topology.quorum(null)).getQueue();
            ch.queueBind(q, exchange, key);
            ch.basicQos(1000);
            ch.basicConsume(q, false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties p, byte[] b)
                        throws java.io.IOException {
                    count.incrementAndGet();
                    if (env.getDeliveryTag() % 100 == 0) {
                        ch.basicAck(env.getDeliveryTag(), true);
                    }
                }
            });
        }

        long count() {
            return count.get();
        }

        @Override
        public void close() {
            connection.abort();
        }
    }
}
