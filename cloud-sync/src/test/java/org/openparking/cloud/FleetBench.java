package org.openparking.cloud;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import io.helidon.webserver.WebServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.Role;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.ingest.ConsumerSettings;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Json;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentStatus;
import org.openparking.testing.Charts;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/**
 * The fleet benchmark (issue 16): N emulated levels, each a broker user of its own ({@code edge-{lot}-{level}})
 * publishing the edge protocol with its backlog, drained by one and then two cloud-sync instances on one
 * PostgreSQL, then by two while portal clients poll; then polling, SSE fan-out and an idle {@code GET /lots}. Every figure
 * stands beside a baseline of the same run: batched JDBC inserts of the same rows, raw broker publish/consume of
 * the same bodies, a bare Helidon endpoint answering the same bytes to the same clients.
 * <p>{@code java -cp <cloud-sync test classpath> org.openparking.cloud.FleetBench [out.md]} with
 * {@code -Dbench.fleet.levels=100 -Dbench.fleet.events=1000 -Dbench.fleet.pollers=1000 -Dbench.fleet.streams=10000
 * -Dbench.fleet.seconds=10}; {@code scripts/bench.sh} runs it ({@code BENCH_FLEET_ONLY=1} alone).
 */
public final class FleetBench {
    private static final int LEVELS_PER_LOT = 10;

    private final int levels = Integer.getInteger("bench.fleet.levels", 100);
    private final int eventsPerLevel = Integer.getInteger("bench.fleet.events", 1000);
    private final int pollers = Integer.getInteger("bench.fleet.pollers", 1000);
    private final int streams = Integer.getInteger("bench.fleet.streams", 10_000);
    private final int seconds = Integer.getInteger("bench.fleet.seconds", 10);
    private final List<String[]> rows = new ArrayList<>();
    private final TestHttp http = TestHttp.create(Duration.ofSeconds(10), Duration.ofSeconds(60));

    private FleetBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--sse-clients")) {
            sseClients(Integer.parseInt(args[1]), List.of(args).subList(2, args.length));
            return;
        }
        FleetBench bench = new FleetBench();
        String table = bench.run();
        System.out.println(table);
        if (args.length > 0) {
            Path out = Path.of(args[0]).toAbsolutePath();
            // docs/bench/fleet.md -> docs/img/fleet-*.svg
            Path img = out.getParent().resolveSibling("img");
            Files.createDirectories(img);
            String links = bench.charts(img);
            Files.writeString(out, table + links);
        }
        System.exit(0);
    }

    private record Level(String lot, String level, String user) {
        String edgeId() {
            return Envelope.edgeId(lot, level);
        }
    }

    private record Published(Level level, AMQP.BasicProperties properties, byte[] body, String routingKey) {
    }

    private String run() throws Exception {
        List<Level> fleet = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            String lot = "fleet" + (i / LEVELS_PER_LOT);
            String level = "L" + (i % LEVELS_PER_LOT);
            fleet.add(new Level(lot, level, "edge-" + lot + "-" + level));
        }
        List<Envelope> events = new ArrayList<>();
        List<Published> backlog = backlog(fleet, events);
        long expectedOccupied = 0;
        for (int i = 0; i < levels; i++) {
            expectedOccupied += lastOccupied();
        }
        keyFile = Files.createTempFile("fleet-key", ".jwk");
        Files.writeString(keyFile, org.openparking.cloud.auth.TokenService.generate().toJSONString());
        try (TestBroker broker = TestBroker.create()) {
            String password = "bench-" + Long.toHexString(new SecureRandom().nextLong());
            createEdgeUsers(broker, fleet, password);
            try {
                rawBroker(broker, backlog);
                try (TestDatabase raw = TestDatabase.create()) {
                    rawInserts(raw, events);
                }
                ingest(broker, fleet, password, backlog, 1, false, expectedOccupied);
                // The same replay into one instance with the batch and prefetch cloud-sync had before (100 / 200):
                // five times the round trips per event, measured beside the defaults in this run.
                ConsumerSettings d = CloudSettings.defaults().ingest();
                bigBatch = new ConsumerSettings(200, d.consumers(), 100, d.requeueBackoffMax());
                ingest(broker, fleet, password, backlog, 1, false, expectedOccupied);
                bigBatch = null;
                ingest(broker, fleet, password, backlog, 2, false, expectedOccupied);
                ingest(broker, fleet, password, backlog, 2, true, expectedOccupied);
            } finally {
                deleteEdgeUsers(fleet);
            }
        } finally {
            Files.deleteIfExists(keyFile);
        }
        return table();
    }

    // ---- the backlog -------------------------------------------------------------------------------------

    /** {@code eventsPerLevel} per level: session opened, availability, session closed, over and over. */
    private List<Published> backlog(List<Level> fleet, List<Envelope> all) {
        List<Published> out = new ArrayList<>();
        for (Level l : fleet) {
            Events edge = new Events(l.lot(), l.level());
            for (int i = 0; i < eventsPerLevel; i++) {
                int cycle = i / 3;
                String session = l.edgeId() + "-" + cycle;
                Envelope e = switch (i % 3) {
                    case 0 -> edge.next(Events.opened(session, "P" + cycle));
                    case 1 -> edge.next(Events.availability(occupied(cycle), cycle + 1));
                    default -> edge.next(Events.closed(session, 300, PaymentStatus.PAID, null));
                };
                all.add(e);
                out.add(new Published(l, AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), l.user()),
                        MessageCodec.encode(e), Topology.edgeEventKey(e.lotId(), e.levelId(), e.type())));
            }
        }
        return out;
    }

    private static int occupied(int cycle) {
        return cycle % 90;
    }

    private int lastOccupied() {
        int lastAvailability = eventsPerLevel >= 2 ? (eventsPerLevel - 2) / 3 : -1;
        return lastAvailability < 0 ? 0 : occupied(lastAvailability);
    }

    // ---- broker users ------------------------------------------------------------------------------------

    /** One broker user per level, as provisioning makes them: write to the events exchange, its own keys only. */
    private static void createEdgeUsers(TestBroker broker, List<Level> fleet, String password) throws Exception {
        List<Map<String, Object>> users = new ArrayList<>();
        List<Map<String, Object>> permissions = new ArrayList<>();
        List<Map<String, Object>> topics = new ArrayList<>();
        for (Level l : fleet) {
            users.add(Map.of("name", l.user(), "password_hash", hash(password),
                    "hashing_algorithm", "rabbit_password_hashing_sha256", "tags", List.of()));
            permissions.add(Map.of("user", l.user(), "vhost", broker.vhost(), "configure", "^$",
                    "write", "^parking\\.events$", "read", "^$"));
            topics.add(Map.of("user", l.user(), "vhost", broker.vhost(), "exchange", Topology.EVENTS_EXCHANGE,
                    "write", "^edge\\." + l.lot() + "\\." + l.level() + "\\.", "read", "^$"));
        }
        Path file = Files.createTempFile("fleet-users", ".json");
        try {
            Files.writeString(file, Json.mapper().writeValueAsString(Map.of("users", users, "permissions",
                    permissions, "topic_permissions", topics)));
            // The broker itself reads the file (bench users of a random password, deleted afterwards).
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            TestBroker.ctl("import_definitions", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void deleteEdgeUsers(List<Level> fleet) throws InterruptedException {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Level l : fleet) {
                pool.submit(() -> TestBroker.ctl("delete_user", l.user()));
            }
        }
    }

    /** rabbit_password_hashing_sha256: base64(salt + sha256(salt + password)). */
    private static String hash(String password) throws Exception {
        byte[] salt = new byte[4];
        new SecureRandom().nextBytes(salt);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(salt);
        byte[] digest = sha.digest(password.getBytes(StandardCharsets.UTF_8));
        byte[] all = new byte[4 + digest.length];
        System.arraycopy(salt, 0, all, 0, 4);
        System.arraycopy(digest, 0, all, 4, digest.length);
        return Base64.getEncoder().encodeToString(all);
    }

    // ---- baselines ---------------------------------------------------------------------------------------

    /** The same bodies through a plain queue: confirmed publishes, then acked consumption. */
    private void rawBroker(TestBroker broker, List<Published> backlog) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        try (Connection c = f.newConnection("fleet-raw")) {
            Channel ch = c.createChannel();
            String queue = ch.queueDeclare("fleet-raw", true, false, false,
                    Map.of("x-queue-type", "quorum")).getQueue();
            ch.confirmSelect();
            long t0 = System.nanoTime();
            for (Published p : backlog) {
                // Published as guest: RabbitMQ refuses a user_id other than the connection's.
                ch.basicPublish("", queue, p.properties().builder().userId(null).build(), p.body());
            }
            ch.waitForConfirmsOrDie(120_000);
            double publish = backlog.size() / secondsSince(t0);
            Channel consume = c.createChannel();
            consume.basicQos(200);
            CountDownLatch all = new CountDownLatch(backlog.size());
            long t1 = System.nanoTime();
            consume.basicConsume(queue, false, new DefaultConsumer(consume) {
                @Override
                public void handleDelivery(String tag, com.rabbitmq.client.Envelope env, AMQP.BasicProperties p,
                                           byte[] body) throws java.io.IOException {
                    consume.basicAck(env.getDeliveryTag(), false);
                    all.countDown();
                }
            });
            all.await(300, TimeUnit.SECONDS);
            double consumed = backlog.size() / secondsSince(t1);
            ch.queueDelete(queue);
            rows.add(new String[] {"raw broker: confirmed publishes/s, one connection, quorum queue",
                    fmt(publish), "", "", ""});
            rows.add(new String[] {"raw broker: acked consumption/s, prefetch 200", fmt(consumed), "", "", ""});
            rawConsume = consumed;
            rawPublish = publish;
        }
    }

    private Path keyFile;
    private double rawConsume;
    // Non-null: the one-instance phase with these consumer settings (the earlier defaults) instead of the defaults.
    private ConsumerSettings bigBatch;
    private double oneBigBatch;
    private double rawPublish;
    private double edgesPublish;
    private double withPollers;
    private final List<Charts.Group> replays = new ArrayList<>();
    private double[] polling = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    private double[] sse = {Double.NaN, Double.NaN, Double.NaN};
    private double rawInsert;
    private double oneInstance;
    private double twoInstances;

    /** The rows the ingest writes per event (the inbox row and the session or level row), plain batched inserts. */
    private void rawInserts(TestDatabase db, List<Envelope> events) throws Exception {
        // The same tables as the ingest's, with the same keys and indexes.
        try (var pool = org.openparking.platform.jdbc.PooledDataSource.postgres(
                CloudSettings.defaults().db().with(db.url(), 2), "fleet-raw")) {
            pool.migrate(Main.MIGRATIONS);
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.url() + "&reWriteBatchedInserts=true")) {
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement inbox = c.prepareStatement(
                    "INSERT INTO inbox (message_id, type, edge_id, seq) VALUES (?, ?, ?, ?)");
                 PreparedStatement sessions = c.prepareStatement("""
                         INSERT INTO sessions (session_id, edge_id, lot_id, level_id, status, entry_time, plate)
                         VALUES (?, ?, ?, ?, 'OPEN', now(), ?)""");
                 PreparedStatement lv = c.prepareStatement("""
                         INSERT INTO drift_records (message_id, edge_id, lot_id, level_id, vehicle_type, reason,
                                                    expected, observed, occurred_at)
                         VALUES (?, ?, ?, ?, 'STANDARD', 'bench', 100, ?, now())""")) {
                int n = 0;
                for (Envelope e : events) {
                    inbox.setString(1, e.id());
                    inbox.setString(2, e.type());
                    inbox.setString(3, e.edgeId());
                    inbox.setLong(4, e.seq());
                    inbox.addBatch();
                    // A session-wide row for each session event (a close as its own row), a level-wide one otherwise.
                    if (e.payload() instanceof org.openparking.protocol.AvailabilityChanged a) {
                        lv.setString(1, e.id());
                        lv.setString(2, e.edgeId());
                        lv.setString(3, e.lotId());
                        lv.setString(4, e.levelId());
                        lv.setInt(5, a.occupied());
                        lv.addBatch();
                    } else {
                        sessions.setString(1, e.id());
                        sessions.setString(2, e.edgeId());
                        sessions.setString(3, e.lotId());
                        sessions.setString(4, e.levelId());
                        sessions.setString(5, "P" + e.seq());
                        sessions.addBatch();
                    }
                    if (++n % 100 == 0) {
                        inbox.executeBatch();
                        sessions.executeBatch();
                        lv.executeBatch();
                        c.commit();
                    }
                }
                inbox.executeBatch();
                sessions.executeBatch();
                lv.executeBatch();
                c.commit();
            }
            rawInsert = events.size() / secondsSince(t0);
            rows.add(new String[] {"raw PostgreSQL: batched JDBC inserts of the same rows (inbox + effect row), "
                    + "events/s, 100 per commit", fmt(rawInsert), "", "", ""});
        }
    }

    // ---- ingest with portal load -------------------------------------------------------------------------

    /** A replay into {@code instances} fresh instances; with {@code portal}, the pollers meanwhile and the rest after. */
    private void ingest(TestBroker broker, List<Level> fleet, String password, List<Published> backlog, int instances,
                        boolean portal, long expectedOccupied) throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            try (Connection setup = connect(broker.uri(), "fleet-setup")) {
                Channel ch = setup.createChannel();
                Topology.declareEdgePublishing(ch);
                Topology.declareCloudSync(ch);
            }
            // Every level publishes its backlog first, on its own connection as its own user: the replay after
            // an outage.
            long t0 = System.nanoTime();
            List<java.util.concurrent.Future<Object>> publishing = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Level l : fleet) {
                    publishing.add(pool.submit(() -> {
                        // On a loaded machine a connection may be refused or time out: the edge retries, and a
                        // backlog sent twice is applied once (the inbox).
                        for (int attempt = 1; ; attempt++) {
                            try (Connection c = connect(broker.uri(l.user(), password), l.user())) {
                                Channel ch = c.createChannel();
                                ch.confirmSelect();
                                for (Published p : backlog) {
                                    if (p.level() == l) {
                                        ch.basicPublish(Topology.EVENTS_EXCHANGE, p.routingKey(), p.properties(),
                                                p.body());
                                    }
                                }
                                ch.waitForConfirmsOrDie(120_000);
                                return null;
                            } catch (Exception e) {
                                if (attempt == 10) {
                                    throw e;
                                }
                                System.err.println("bench: " + l.user() + " publishing again after " + e);
                                Thread.sleep(1_000);
                            }
                        }
                    }));
                }
            }
            for (java.util.concurrent.Future<Object> f : publishing) {
                // A level that could not publish its backlog would leave the replay waiting for ever.
                f.get();
            }
            double published = backlog.size() / secondsSince(t0);
            if (instances == 1 && !portal && bigBatch == null) {
                edgesPublish = published;
                rows.add(new String[] {levels + " levels publishing their backlog as their own broker users, "
                        + "confirmed events/s", fmt(published), "", "", ""});
            }

            CloudSettings d = CloudSettings.defaults();
            CloudSettings settings = new CloudSettings(0, d.db().with(db.url(), d.db().poolSize()),
                    d.broker().withUri(broker.uri()), bigBatch != null ? bigBatch : d.ingest(), d.offlineAfter(), d.republishInterval(), d.metricsRefresh(),
                    d.live());
            // One signing key for every instance, as a deployment has; the per-token API limit raised: this
            // measures the server, not one token's allowance.
            AuthSettings d0 = AuthSettings.defaults();
            AuthSettings auth = new AuthSettings(d0.issuer(), d0.audience(), d0.tokenTtl(), d0.clockSkew(),
                    keyFile.toString(), d0.bootstrapAdminUser(), d0.bootstrapAdminPassword(), d0.loginPerMinute(),
                    d0.loginPerAddressPerMinute(), 100_000, 100_000, d0.maxBodyBytes(), d0.trustedProxies());
            List<Main.Running> apps = new ArrayList<>();
            AtomicBoolean polling = new AtomicBoolean(true);
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            AtomicLong errors = new AtomicLong();
            long start;
            long shown;
            try {
                for (int i = 0; i < instances; i++) {
                    apps.add(Main.start(settings, auth, AfterCommitHook.NONE));
                }
                await().atMost(Duration.ofMinutes(1)).until(() -> apps.stream().allMatch(a ->
                        a.consumer().isConnected()));
                // From the moment every instance consumes: start-up and migrations are not ingest.
                start = System.nanoTime();
                // The portal under load meanwhile: pollers on the lots list and a lot's levels.
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
                for (int i = 0; portal && i < pollers; i++) {
                    Main.Running app = apps.get(i % apps.size());
                    String token = app.gateway().tokens().issue("poller-" + i, Role.VIEWER, null).token();
                    String lot = fleet.get(i % fleet.size()).lot();
                    clients.submit(() -> poll(app, token, lot, polling, latencies, errors));
                }
                String admin = apps.getFirst().gateway().tokens().issue("bench", Role.ADMIN, null).token();
                shown = awaitShown(apps.getFirst(), admin, expectedOccupied, start);
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() ->
                        apps.stream().mapToLong(a -> a.stats().appliedCount()).sum() >= backlog.size());
                double rate = backlog.size() / secondsSince(start);
                polling.set(false);
                clients.shutdown();
                clients.awaitTermination(30, TimeUnit.SECONDS);
                List<Long> during = sorted(latencies);
                replays.add(new Charts.Group(instances + (instances == 1 ? " instance" : " instances")
                        + (bigBatch != null ? ", batch " + bigBatch.maxBatch() : "")
                        + (portal ? ", " + pollers + " pollers" : ""), new double[] {shown / 1e9, 10}));
                if (portal) {
                    withPollers = rate;
                    rows.add(new String[] {"ingest, two instances, while " + pollers + " pollers load them, events/s"
                            + " (÷ without)", fmt(rate), fmt(twoInstances), ratio(rate / twoInstances), ""});
                } else if (instances == 1 && bigBatch != null) {
                    oneBigBatch = rate;
                    rows.add(new String[] {String.format(Locale.ROOT, "ingest, one cloud-sync, amqp.max-batch %d and "
                            + "prefetch %d (the defaults before; the defaults %d / %d above ÷ it)", bigBatch.maxBatch(),
                            bigBatch.prefetch(), d.ingest().maxBatch(), d.ingest().prefetch()), fmt(rate),
                            fmt(oneInstance), ratio(oneInstance / rate), ""});
                    rows.add(new String[] {"  the same ÷ raw batched inserts", fmt(rate), fmt(rawInsert),
                            ratio(rate / rawInsert), ""});
                } else if (instances == 1) {
                    oneInstance = rate;
                    rows.add(new String[] {"ingest, one cloud-sync, events/s (÷ raw batched inserts)", fmt(rate),
                            fmt(rawInsert), ratio(rate / rawInsert), ">= 0.5"});
                    rows.add(new String[] {"ingest, one cloud-sync ÷ raw broker consumption", fmt(rate),
                            fmt(rawConsume), ratio(rate / rawConsume), ""});
                } else {
                    twoInstances = rate;
                    rows.add(new String[] {"ingest, two instances, events/s (÷ one instance)", fmt(rate),
                            fmt(oneInstance), ratio(rate / oneInstance), ">= 1.7"});
                }
                String variant = bigBatch != null ? ", batch " + bigBatch.maxBatch() : "";
                rows.add(new String[] {String.format(Locale.ROOT, "%,d-event replay from %d levels, %d instance(s)%s%s:"
                        + " seconds until GET /lots shows all", backlog.size(), levels, instances, variant,
                        portal ? ", " + pollers + " pollers meanwhile" : ""), secs(shown), "", "", "< 10 s"});
                if (portal) {
                    rows.add(new String[] {String.format(Locale.ROOT, "  meanwhile %d pollers: requests, p50 / p99 ms,"
                            + " errors", pollers), during.size() + " req, " + ms(during, 0.5) + " / "
                            + ms(during, 0.99) + " ms, " + errors.get() + " errors", "", "", ""});
                    steadyPolling(apps, fleet);
                    fanOut(apps, broker, fleet, password);
                    idleLots(apps.getFirst(), admin);
                }
            } finally {
                polling.set(false);
                apps.forEach(Main.Running::close);
            }
        }
    }

    private void poll(Main.Running app, String token, String lot, AtomicBoolean polling,
                      ConcurrentLinkedQueue<Long> latencies, AtomicLong errors) {
        String base = "http://127.0.0.1:" + app.port() + "/api/v1";
        boolean lots = true;
        while (polling.get()) {
            long t = System.nanoTime();
            try {
                TestHttp.Response r = http.get(lots ? base + "/lots" : base + "/lots/" + lot + "/levels",
                        "Authorization", "Bearer " + token);
                // 404: the lot has no level yet at the start of a replay, an answer and not an error.
                if (r.status() != 200 && r.status() != 404) {
                    errors.incrementAndGet();
                }
            } catch (RuntimeException e) {
                errors.incrementAndGet();
            }
            latencies.add(System.nanoTime() - t);
            lots = !lots;
        }
    }

    /** Nanoseconds from {@code start} until the lots list shows every level with its final occupancy. */
    private long awaitShown(Main.Running app, String token, long expectedOccupied, long start) {
        String url = "http://127.0.0.1:" + app.port() + "/api/v1/lots";
        long[] at = {0};
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            TestHttp.Response r = http.get(url, "Authorization", "Bearer " + token);
            if (r.status() != 200) {
                return false;
            }
            long occupied = 0;
            long known = 0;
            for (JsonNode lot : r.body()) {
                occupied += lot.path("occupied").asLong();
                known += lot.path("levels").asLong();
            }
            if (known == levels && occupied == expectedOccupied) {
                at[0] = System.nanoTime();
                return true;
            }
            return false;
        });
        return at[0] - start;
    }

    // ---- polling, fan-out, idle ----------------------------------------------------------------------------

    /** The pollers for a fixed time against the two instances, then against a bare endpoint with the same bytes. */
    private void steadyPolling(List<Main.Running> apps, List<Level> fleet) throws Exception {
        String token = apps.getFirst().gateway().tokens().issue("bytes", Role.VIEWER, null).token();
        byte[] lotsBytes = http.get("http://127.0.0.1:" + apps.getFirst().port() + "/api/v1/lots",
                "Authorization", "Bearer " + token).text().getBytes(StandardCharsets.UTF_8);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < pollers; i++) {
            tokens.add(apps.get(i % 2).gateway().tokens().issue("steady-" + i, Role.VIEWER, null).token());
        }
        Load cloud = load(i -> "http://127.0.0.1:" + apps.get(i % 2).port() + "/api/v1/lots", tokens);
        WebServer bare = WebServer.builder().port(0).routing(r -> r.get("/lots", (req, res) -> {
            res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
            res.send(lotsBytes);
        })).build().start();
        Load baseline;
        try {
            baseline = load(i -> "http://127.0.0.1:" + bare.port() + "/lots", tokens);
        } finally {
            bare.stop();
        }
        rows.add(new String[] {String.format(Locale.ROOT, "%d pollers on GET /lots (two instances), requests/s"
                + " (÷ bare Helidon, same bytes)", pollers), fmt(cloud.perSecond()), fmt(baseline.perSecond()),
                ratio(cloud.perSecond() / baseline.perSecond()), ">= 0.5"});
        rows.add(new String[] {"  p99 ms (÷ bare Helidon p99)", ms(cloud.latencies(), 0.99),
                ms(baseline.latencies(), 0.99), ratio(percentile(cloud.latencies(), 0.99)
                / (double) Math.max(1, percentile(baseline.latencies(), 0.99))), "<= 2"});
        polling = new double[] {percentile(cloud.latencies(), 0.5) / 1e6, percentile(baseline.latencies(), 0.5) / 1e6,
                percentile(cloud.latencies(), 0.99) / 1e6, percentile(baseline.latencies(), 0.99) / 1e6};
        rows.add(new String[] {"  errors (non-200) of all requests", cloud.errors() + " of " + cloud.latencies().size(),
                baseline.errors() + " of " + baseline.latencies().size(), "", "0"});
    }

    private record Load(double perSecond, List<Long> latencies, long errors) {
    }

    private Load load(java.util.function.IntFunction<String> url, List<String> tokens) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        long t0 = System.nanoTime();
        for (int i = 0; i < pollers; i++) {
            String u = url.apply(i);
            String token = tokens.get(i);
            clients.submit(() -> {
                while (running.get()) {
                    long t = System.nanoTime();
                    try {
                        if (http.get(u, "Authorization", "Bearer " + token).status() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                    }
                    latencies.add(System.nanoTime() - t);
                }
            });
        }
        Thread.sleep(Duration.ofSeconds(seconds));
        running.set(false);
        double elapsed = secondsSince(t0);
        clients.shutdown();
        clients.awaitTermination(60, TimeUnit.SECONDS);
        List<Long> all = sorted(latencies);
        return new Load(all.size() / elapsed, all, errors.get());
    }

    /**
     * Stream clients split over both instances; one level changes; the time until each client has it. The clients
     * run in a JVM of their own ({@link #sseClients}): ten thousand client sockets beside the servers' ten thousand
     * would pass this machine's descriptor limit in one process, and the clients' own work is not the servers'.
     * Both read the same wall clock (one machine), so an arrival minus the publish time is the latency.
     */
    private void fanOut(List<Main.Running> apps, TestBroker broker, List<Level> fleet, String password)
            throws Exception {
        String token = apps.getFirst().gateway().tokens().issue("watcher", Role.VIEWER, null).token();
        Process clients = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss256k", "-cp", System.getProperty("java.class.path"), FleetBench.class.getName(), "--sse-clients",
                String.valueOf(streams), "http://127.0.0.1:" + apps.get(0).port() + "/api/v1/stream?access_token="
                + token, "http://127.0.0.1:" + apps.get(1).port() + "/api/v1/stream?access_token=" + token)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                clients.getInputStream(), StandardCharsets.UTF_8));
        List<Long> fan = new ArrayList<>();
        long refused = 0;
        long failed = 0;
        boolean all = false;
        try {
            String line = out.readLine();
            if (line == null || !line.startsWith("CONNECTED ")) {
                throw new IllegalStateException("the SSE clients did not start: " + line);
            }
            String[] counts = line.split(" ");
            refused = Long.parseLong(counts[2]);
            failed = Long.parseLong(counts[3]);
            long open = streams - refused - failed;
            // Every stream has had its snapshot sent by now; settle, then one change.
            await().atMost(Duration.ofMinutes(2)).until(() ->
                    apps.get(0).gateway().stream().clientCount() + apps.get(1).gateway().stream().clientCount()
                            >= open);
            Level l = fleet.getFirst();
            Events edge = new Events(l.lot(), l.level());
            Envelope change = null;
            for (int i = 0; i <= eventsPerLevel; i++) {
                change = edge.next(Events.availability(99, 1_000_000));
            }
            long published;
            try (Connection c = connect(broker.uri(l.user(), password), l.user())) {
                Channel ch = c.createChannel();
                ch.confirmSelect();
                published = epochNanos();
                ch.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(l.lot(), l.level(), change.type()),
                        AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(change), l.user()),
                        MessageCodec.encode(change));
                ch.waitForConfirmsOrDie(10_000);
            }
            for (line = out.readLine(); line != null && !line.startsWith("DONE"); line = out.readLine()) {
                fan.add(Long.parseLong(line) - published);
            }
            all = line != null && fan.size() == open && refused == 0 && failed == 0;
        } finally {
            clients.destroy();
            clients.waitFor(30, TimeUnit.SECONDS);
        }
        Collections.sort(fan);
        sse = new double[] {percentile(fan, 0.5) / 1e6, percentile(fan, 0.99) / 1e6, percentile(fan, 1.0) / 1e6};
        rows.add(new String[] {String.format(Locale.ROOT, "one change -> %,d SSE clients on two instances, "
                + "p50 / p99 / max ms%s", streams, all ? "" : " (INCOMPLETE: " + fan.size() + " received, "
                + refused + " refused, " + failed + " could not connect)"), ms(fan, 0.5) + " / " + ms(fan, 0.99)
                + " / " + ms(fan, 1.0), "", "", "p99 <= 250 ms"});
    }

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * The SSE clients' JVM: {@code count} streams alternating over {@code urls}, each a plain non-blocking socket
     * speaking HTTP/1.1, all read by one selector thread (a client's cost here is a read into a buffer, so what is
     * measured is the servers). Prints {@code CONNECTED open refused failed} once each has its response head (or
     * failed), then the wall-clock time each saw the change (occupancy 99), one per line, and {@code DONE} when
     * all have or after two minutes.
     */
    private static void sseClients(int count, List<String> urls) throws Exception {
        byte[] marker = "\"occupied\":99".getBytes(StandardCharsets.US_ASCII);
        final class Client {
            final java.nio.channels.SocketChannel channel;
            final byte[] request;
            boolean head;
            boolean done;
            byte[] tail = new byte[0];

            Client(java.nio.channels.SocketChannel channel, byte[] request) {
                this.channel = channel;
                this.request = request;
            }
        }
        java.nio.channels.Selector selector = java.nio.channels.Selector.open();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64 * 1024);
        List<Long> arrivals = new ArrayList<>();
        long refused = 0;
        long failed = 0;
        int opened = 0;
        int pending = 0;
        int headed = 0;
        int finished = 0;
        boolean announced = false;
        long connectDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        long endDeadline = Long.MAX_VALUE;
        while (true) {
            // At most 500 connects under way: the servers' accept backlogs are not flooded.
            while (opened < count && pending < 500) {
                java.net.URI uri = java.net.URI.create(urls.get(opened % urls.size()));
                java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open();
                ch.configureBlocking(false);
                byte[] request = ("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: "
                        + uri.getHost() + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                Client c = new Client(ch, request);
                ch.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()));
                ch.register(selector, java.nio.channels.SelectionKey.OP_CONNECT, c);
                opened++;
                pending++;
            }
            if (!announced && (headed + refused + failed == count || System.nanoTime() > connectDeadline)) {
                System.out.println("CONNECTED " + headed + " " + refused + " " + (count - headed - refused));
                System.out.flush();
                announced = true;
                endDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            }
            if (announced && (finished == headed || System.nanoTime() > endDeadline)) {
                break;
            }
            selector.select(100);
            for (java.nio.channels.SelectionKey key : selector.selectedKeys()) {
                Client c = (Client) key.attachment();
                try {
                    if (key.isConnectable()) {
                        c.channel.finishConnect();
                        c.channel.write(java.nio.ByteBuffer.wrap(c.request));
                        key.interestOps(java.nio.channels.SelectionKey.OP_READ);
                        continue;
                    }
                    buffer.clear();
                    int n = c.channel.read(buffer);
                    if (n < 0) {
                        throw new java.io.IOException("closed");
                    }
                    long now = epochNanos();
                    byte[] bytes = new byte[c.tail.length + n];
                    System.arraycopy(c.tail, 0, bytes, 0, c.tail.length);
                    System.arraycopy(buffer.array(), 0, bytes, c.tail.length, n);
                    if (!c.head) {
                        c.head = true;
                        pending--;
                        if (new String(bytes, 0, Math.min(bytes.length, 16), StandardCharsets.US_ASCII)
                                .startsWith("HTTP/1.1 200")) {
                            headed++;
                        } else {
                            refused++;
                            c.done = true;
                            key.cancel();
                            c.channel.close();
                            continue;
                        }
                    }
                    if (!c.done && indexOf(bytes, marker) >= 0) {
                        c.done = true;
                        arrivals.add(now);
                        finished++;
                    }
                    c.tail = java.util.Arrays.copyOfRange(bytes, Math.max(0, bytes.length - marker.length),
                            bytes.length);
                } catch (java.io.IOException e) {
                    if (!c.head) {
                        c.head = true;
                        pending--;
                        failed++;
                    } else if (!c.done) {
                        finished++;
                    }
                    c.done = true;
                    key.cancel();
                    c.channel.close();
                }
            }
            selector.selectedKeys().clear();
        }
        StringBuilder lines = new StringBuilder();
        arrivals.forEach(a -> lines.append(a).append('\n'));
        System.out.print(lines);
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** {@code GET /lots} on the idle server after the replay: rendered afresh (a query) and from memory. */
    private void idleLots(Main.Running app, String token) throws Exception {
        String url = "http://127.0.0.1:" + app.port() + "/api/v1/lots";
        List<Long> rendered = new ArrayList<>();
        List<Long> cached = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            // Past live.view-max-age, so this one renders.
            Thread.sleep(CloudSettings.defaults().live().viewMaxAge().plusMillis(100));
            long t = System.nanoTime();
            http.get(url, "Authorization", "Bearer " + token);
            rendered.add(System.nanoTime() - t);
            t = System.nanoTime();
            http.get(url, "Authorization", "Bearer " + token);
            cached.add(System.nanoTime() - t);
        }
        Collections.sort(rendered);
        Collections.sort(cached);
        rows.add(new String[] {"GET /lots, idle, after the replay: rendered (query) / from memory, median ms",
                ms(rendered, 0.5) + " / " + ms(cached, 0.5), "", "", "<= 20 ms"});
    }

    // ---- charts --------------------------------------------------------------------------------------------

    /** The run's figures as SVG charts in {@code img}; the Markdown that shows them. */
    private String charts(Path img) throws java.io.IOException {
        Files.writeString(img.resolve("fleet-ingest.svg"), Charts.bars("Fleet ingest beside raw baselines, same run",
                "events per second", List.of("events/s"), List.of(
                        new Charts.Group("raw publish", new double[] {rawPublish}),
                        new Charts.Group("raw consume", new double[] {rawConsume}),
                        new Charts.Group("raw inserts", new double[] {rawInsert}),
                        new Charts.Group(levels + " edge users publish", new double[] {edgesPublish}),
                        new Charts.Group("1 cloud-sync", new double[] {oneInstance}),
                        new Charts.Group("1, batch 100", new double[] {oneBigBatch}),
                        new Charts.Group("2 cloud-sync", new double[] {twoInstances}),
                        new Charts.Group("2 + pollers", new double[] {withPollers}))));
        Files.writeString(img.resolve("fleet-replay.svg"), Charts.bars(String.format(Locale.ROOT,
                "%,d-event replay until GET /lots shows all", levels * eventsPerLevel), "seconds",
                List.of("measured", "goal (under)"), replays));
        Files.writeString(img.resolve("fleet-polling.svg"), Charts.bars(String.format(Locale.ROOT,
                "%,d pollers on GET /lots: latency", pollers), "milliseconds",
                List.of("cloud-sync (two instances)", "bare Helidon, same bytes"), List.of(
                        new Charts.Group("p50", new double[] {polling[0], polling[1]}),
                        new Charts.Group("p99", new double[] {polling[2], polling[3]}))));
        Files.writeString(img.resolve("fleet-sse.svg"), Charts.bars(String.format(Locale.ROOT,
                "One change -> %,d SSE clients", streams), "milliseconds", List.of("measured", "goal for p99"),
                List.of(new Charts.Group("p50", new double[] {sse[0], Double.NaN}),
                        new Charts.Group("p99", new double[] {sse[1], 250}),
                        new Charts.Group("max", new double[] {sse[2], Double.NaN}))));
        return "\n![fleet ingest](../img/fleet-ingest.svg)\n![replay](../img/fleet-replay.svg)\n"
                + "![polling latency](../img/fleet-polling.svg)\n![SSE fan-out](../img/fleet-sse.svg)\n";
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static Connection connect(String uri, String name) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        return f.newConnection(name);
    }

    private String table() {
        StringBuilder out = new StringBuilder();
        out.append("## Fleet scale (cloud-sync FleetBench)\n\n");
        out.append(String.format(Locale.ROOT, "%d levels x %,d events (%,d), %d pollers, %d SSE clients, %d s of "
                + "polling. Command: `BENCH_FLEET_ONLY=1 scripts/bench.sh` (or the main directly, see FleetBench)."
                + "\n\n", levels, eventsPerLevel, levels * eventsPerLevel, pollers, streams, seconds));
        out.append("| figure | measured | baseline (same run) | ratio | goal |\n|---|---|---|---|---|\n");
        for (String[] r : rows) {
            out.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return out.toString();
    }

    private static List<Long> sorted(ConcurrentLinkedQueue<Long> values) {
        List<Long> list = new ArrayList<>(values);
        Collections.sort(list);
        return list;
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String ms(List<Long> sorted, double p) {
        return String.format(Locale.ROOT, "%.1f", percentile(sorted, p) / 1e6);
    }

    private static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
