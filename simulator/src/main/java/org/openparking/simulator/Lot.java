package org.openparking.simulator;

import java.io.UncheckedIOException;
import org.openparking.testing.TcpProxy;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.openparking.testing.Ports;
import org.openparking.testing.PrivatePostgres;
import org.openparking.testing.PrivateRabbit;
import org.openparking.testing.PrivateRabbitCluster;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/**
 * A whole lot on this machine: a fresh RabbitMQ vhost and PostgreSQL databases on the local servers,
 * Stripe on WireMock, cloud-sync, payment workers and N edge levels, each a child process with its own
 * port (and SQLite file) under a temp dir. The edges reach the broker through one {@link TcpProxy}
 * each, so their link can be cut without touching the broker. Closing stops every child.
 * With {@code privateServices} the broker and PostgreSQL are instead a {@link PrivateRabbit} node and a
 * {@link PrivatePostgres} cluster of the lot's own, which the chaos suite may kill and restart; with
 * {@code brokerNodes} of 3 the broker is a {@link PrivateRabbitCluster} of that many nodes, every service given
 * all of them as its node list ({@code AMQP_NODES}, {@code CLOUD_AMQP_NODES}) and each edge one proxy per node.
 */
final class Lot implements AutoCloseable {
    static final String LOT_ID = "sim-lot";

    /**
     * How the lot is built. {@code occupancy}: sensors, counting, or mixed (alternating per level).
     * {@code ramps}: neighbouring levels are joined by a ramp with two-loop counters at both ends (a ramp
     * {@code up} on every level but the top one, {@code down} on every level but the ground one); needs
     * counting levels.
     */
    record Options(int levels, String occupancy, int workers, int spotsPerLevel, int entryLanes, int exitLanes,
                   long floorLimit, Duration paymentsWait, boolean ramps) {
        Options {
            if (levels < 1 || workers < 1 || spotsPerLevel < 1 || entryLanes < 1 || exitLanes < 1) {
                throw new IllegalArgumentException("levels, workers, spots and lanes must be at least 1");
            }
            if (!List.of("sensors", "counting", "mixed").contains(occupancy)) {
                throw new IllegalArgumentException("occupancy must be sensors, counting or mixed, was " + occupancy);
            }
            if (ramps && (!"counting".equals(occupancy) || levels < 2)) {
                throw new IllegalArgumentException("ramps need --occupancy counting and at least two levels");
            }
        }

        String occupancyOf(int level) {
            return "mixed".equals(occupancy) ? (level % 2 == 0 ? "sensors" : "counting") : occupancy;
        }
    }

    /** One edge level: its process, its proxied broker link, its lanes and spots. */
    record Edge(String levelId, String occupancy, ServiceProcess process, BrokerLink brokerLink,
                List<String> entryLanes, List<String> exitLanes, List<String> spots) {
        String api() {
            return process.baseUrl() + "/api/v1";
        }
    }

    /** An edge's way to the broker: one {@link TcpProxy} per broker node, cut and restored together. */
    record BrokerLink(List<TcpProxy> proxies) {
        BrokerLink {
            proxies = List.copyOf(proxies);
        }

        /** Every proxy refuses connections and drops the live ones: the edge cannot reach any node. */
        void shut() {
            proxies.forEach(TcpProxy::shut);
        }

        void open() throws java.io.IOException {
            for (TcpProxy p : proxies) {
                p.open();
            }
        }

        /** The edge's node list: {@code 127.0.0.1:<proxy port>} per node. */
        List<String> addresses() {
            return proxies.stream().map(p -> "127.0.0.1:" + p.port()).toList();
        }
    }

    private final Options options;
    private final Path root;
    private final Path workDir;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final List<ServiceProcess> workers = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();
    private final TestHttp http = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(15));
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final boolean privateServices;
    private final int brokerNodes;
    private PrivateRabbit rabbit;
    private PrivateRabbitCluster cluster;
    /** The broker's nodes as the services reach them ({@code host:port}); one entry on a single node. */
    private List<String> brokerAddresses;
    private PrivatePostgres postgres;
    private String vhost;
    private String brokerUri;
    private String cloudDbUrl;
    private StripeStub stripe;
    private ServiceProcess cloudSync;
    /** cloud-sync's platform admin of this run (the customers' rules are created through its API). */
    private final String adminPassword = "sim-" + UUID.randomUUID();

    private Lot(Options options, Path root, Path workDir, boolean privateServices, int brokerNodes) {
        this.options = options;
        this.privateServices = privateServices;
        this.brokerNodes = brokerNodes;
        this.root = root;
        this.workDir = workDir;
    }

    /** Starts everything and waits until every service answers its health check. */
    static Lot start(Options options, Path root) throws Exception {
        return start(options, root, false);
    }

    /** As {@link #start(Options, Path)}, on a private broker node and PostgreSQL cluster when asked. */
    static Lot start(Options options, Path root, boolean privateServices) throws Exception {
        return start(options, root, privateServices, 1);
    }

    /**
     * As {@link #start(Options, Path, boolean)}; {@code brokerNodes} above 1 (private services only) makes the
     * private broker a cluster of that many nodes.
     */
    static Lot start(Options options, Path root, boolean privateServices, int brokerNodes) throws Exception {
        if (brokerNodes < 1 || (brokerNodes > 1 && !privateServices)) {
            throw new IllegalArgumentException("a broker cluster (" + brokerNodes + " nodes) is a private one");
        }
        Lot lot = new Lot(options, root, Files.createTempDirectory("garage-sim-"), privateServices, brokerNodes);
        try {
            lot.startAll();
            return lot;
        } catch (Exception | Error e) {
            lot.close();
            throw e;
        }
    }

    /** The repository root: -Dparking.root, else the first parent of the working directory with built jars. */
    static Path repositoryRoot() {
        String configured = System.getProperty("parking.root", System.getenv("PARKING_ROOT"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("edge-controller/target/edge-controller.jar"))) {
                return p;
            }
        }
        throw new IllegalStateException("no edge-controller/target/edge-controller.jar above "
                + Path.of("").toAbsolutePath() + ": build the services first (mvn package) or set -Dparking.root");
    }

    private Path jar(String module) {
        Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " missing: build it first (mvn -pl " + module + " package)");
        }
        return jar;
    }

    private void startAll() throws Exception {
        String paymentsDbUrl;
        if (privateServices) {
            vhost = "lot";
            if (brokerNodes > 1) {
                cluster = PrivateRabbitCluster.start(workDir, brokerNodes);
                resources.add(cluster);
                brokerUri = cluster.uri(vhost);
                brokerAddresses = cluster.addresses();
            } else {
                rabbit = PrivateRabbit.start(workDir);
                resources.add(rabbit);
                brokerUri = rabbit.uri(vhost);
                brokerAddresses = List.of("127.0.0.1:" + rabbit.port());
            }
            ctl("add_vhost", vhost);
            ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
            postgres = PrivatePostgres.start(workDir);
            resources.add(postgres);
            cloudDbUrl = postgres.createDatabase();
            paymentsDbUrl = postgres.createDatabase();
        } else {
            TestBroker broker = TestBroker.create();
            resources.add(broker);
            vhost = broker.vhost();
            brokerUri = broker.uri();
            brokerAddresses = List.of(TestBroker.HOST + ":" + TestBroker.PORT);
            TestDatabase cloudDb = TestDatabase.create();
            resources.add(cloudDb);
            cloudDbUrl = cloudDb.url();
            TestDatabase paymentsDb = TestDatabase.create();
            resources.add(paymentsDb);
            paymentsDbUrl = paymentsDb.url();
        }
        stripe = new StripeStub();
        resources.add(stripe);

        int csPort = Ports.free();
        Map<String, String> csEnv = new HashMap<>(Map.of(
                "DB_URL", cloudDbUrl, "AMQP_URI", brokerUri, "SERVER_PORT", String.valueOf(csPort),
                "AUTH_BOOTSTRAP_ADMIN_PASSWORD", adminPassword));
        if (cluster != null) {
            csEnv.put("AMQP_NODES", String.join(",", brokerAddresses));
        }
        cloudSync = new ServiceProcess("cloud-sync", jar("cloud-sync"), csEnv, csPort, workDir.resolve("cloud-sync.log"));
        processes.add(cloudSync);

        for (int i = 1; i <= options.workers(); i++) {
            int port = Ports.free();
            Map<String, String> env = new HashMap<>();
            env.put("AMQP_URI", brokerUri);
            if (cluster != null) {
                env.put("AMQP_NODES", String.join(",", brokerAddresses));
            }
            env.put("DB_URL", paymentsDbUrl);
            env.put("SERVER_PORT", String.valueOf(port));
            env.put("STRIPE_MODE", "stripe");
            env.put("STRIPE_API_KEY", "sk_test_simulator");
            env.put("STRIPE_API_BASE", stripe.baseUrl());
            env.put("WORKER_HOLD_DELAY", "PT1S");
            env.put("STRIPE_BREAKER_OPEN_WAIT", "PT5S");
            ServiceProcess w = new ServiceProcess("payment-worker-" + i, jar("payment-worker"), env, port,
                    workDir.resolve("payment-worker-" + i + ".log"));
            workers.add(w);
            processes.add(w);
        }

        String mqttPrefix = "sim-" + UUID.randomUUID().toString().substring(0, 8) + "/";
        for (int i = 0; i < options.levels(); i++) {
            String levelId = "L" + i;
            String occupancy = options.occupancyOf(i);
            List<TcpProxy> proxies = new ArrayList<>();
            for (String node : brokerAddresses) {
                int colon = node.lastIndexOf(':');
                TcpProxy proxy = new TcpProxy(Ports.free(), node.substring(0, colon),
                        Integer.parseInt(node.substring(colon + 1)));
                proxy.open();
                resources.add(proxy);
                proxies.add(proxy);
            }
            BrokerLink link = new BrokerLink(proxies);
            List<String> in = new ArrayList<>();
            List<String> out = new ArrayList<>();
            List<String> spots = new ArrayList<>();
            for (int l = 1; l <= options.entryLanes(); l++) {
                in.add("in-" + l);
            }
            for (int l = 1; l <= options.exitLanes(); l++) {
                out.add("out-" + l);
            }
            if ("sensors".equals(occupancy)) {
                for (int s = 1; s <= options.spotsPerLevel(); s++) {
                    spots.add("%s-%03d".formatted(levelId, s));
                }
            }
            Path config = workDir.resolve(levelId + ".yaml");
            Files.writeString(config, levelYaml(occupancy, in, out, spots, mqttPrefix, i));
            int port = Ports.free();
            String edgeAmqp = "amqp://guest:guest@127.0.0.1:" + proxies.getFirst().port() + "/" + vhost;
            Map<String, String> edgeEnv = new HashMap<>(Map.of(
                    "PARKING_CONFIG", config.toString(),
                    "EDGE_LOT_ID", LOT_ID,
                    "EDGE_LEVEL_ID", levelId,
                    "EDGE_DB_PATH", workDir.resolve(levelId + ".db").toString(),
                    "SERVER_PORT", String.valueOf(port),
                    "CLOUD_AMQP_URI", edgeAmqp));
            if (cluster != null) {
                edgeEnv.put("CLOUD_AMQP_NODES", String.join(",", link.addresses()));
            }
            ServiceProcess p = new ServiceProcess("edge-" + levelId, jar("edge-controller"), edgeEnv,
                    port, workDir.resolve("edge-" + levelId + ".log"));
            edges.add(new Edge(levelId, occupancy, p, link, List.copyOf(in), List.copyOf(out), List.copyOf(spots)));
            processes.add(p);
        }

        for (ServiceProcess p : processes) {
            p.start();
        }
        awaitAllHealthy();
        if (rabbit != null) {
            // The services have declared the topology: a clean restart writes the new quorum queues'
            // registration to disk, as a broker installed long before its first crash has it
            // (PrivateRabbit#restartCleanly). Every service reconnects by itself.
            rabbit.restartCleanly();
            awaitAllHealthy();
        }
        if (cluster != null) {
            // The same registration, written by dets:sync on every node instead of three clean restarts
            // (PrivateRabbitCluster#syncRegistrations); the other two members of each queue hold its log anyway.
            cluster.syncRegistrations();
        }
    }

    private void awaitAllHealthy() throws Exception {
        parallel(processes.stream().<Callable<Void>>map(p -> () -> {
            p.awaitHealthy(Duration.ofSeconds(240));
            return null;
        }).toList());
    }

    private String levelYaml(String occupancy, List<String> in, List<String> out, List<String> spots, String mqttPrefix,
                             int level) {
        StringBuilder y = new StringBuilder();
        y.append("""
                # Written by the garage simulator: one simulated level with fast hardware and a per-minute tariff,
                # so that cars parked for seconds in a compressed day still pay.
                hardware:
                  mode: simulated
                  debounce: PT0.01S
                  barrier-travel: PT0.02S
                occupancy:
                  mode: %s
                lane:
                  passage-timeout: PT3S
                payments:
                  floor-limit: %d
                  wait: PT%dS
                mqtt:
                  uri: tcp://127.0.0.1:1883
                  client-id: "edge-%s-L%d"
                  topic-prefix: "%s"
                cloud:
                  backoff-initial: PT0.2S
                  backoff-max: PT2S
                tariff:
                  version: 1
                  currency: EUR
                  grace-minutes: 0
                  period-minutes: 1
                  price-per-period: 50
                  daily-cap: 1200
                  lost-ticket-fee: 5000
                lanes:
                """.formatted(occupancy, options.floorLimit(), Math.max(1, options.paymentsWait().toSeconds()),
                // the default client id, edge-sim-lot-L0, is the same in every lot: two lots on this machine's
                // Mosquitto (a soak beside a test) would take each other's session over and over
                mqttPrefix.substring(0, mqttPrefix.length() - 1), level, mqttPrefix));
        int pin = 100;
        for (String id : in) {
            y.append(lane(id, "ENTRY", pin));
            pin += 6;
        }
        for (String id : out) {
            y.append(lane(id, "EXIT", pin));
            pin += 6;
        }
        if ("sensors".equals(occupancy)) {
            y.append("spots:\n");
            for (String s : spots) {
                y.append("  - { id: \"%s\", type: STANDARD, pin: %d }\n".formatted(s, pin++));
            }
        } else {
            y.append("capacity:\n  STANDARD: ").append(options.spotsPerLevel()).append('\n');
        }
        if (options.ramps()) {
            y.append("ramps:\n");
            if (level < options.levels() - 1) {
                y.append("  - { id: \"up\", type: STANDARD, outer-loop-pin: %d, inner-loop-pin: %d }\n"
                        .formatted(pin, pin + 1));
            }
            if (level > 0) {
                y.append("  - { id: \"down\", type: STANDARD, outer-loop-pin: %d, inner-loop-pin: %d }\n"
                        .formatted(pin + 2, pin + 3));
            }
        }
        return y.toString();
    }

    private static String lane(String id, String direction, int pin) {
        return ("  - { id: \"%s\", direction: %s, raise-pin: %d, open-limit-pin: %d, closed-limit-pin: %d,"
                + " fault-pin: %d, arming-loop-pin: %d, safety-loop-pin: %d }\n")
                .formatted(id, direction, pin, pin + 1, pin + 2, pin + 3, pin + 4, pin + 5);
    }

    private static void parallel(List<Callable<Void>> tasks) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Void>> futures = new ArrayList<>();
            for (Callable<Void> t : tasks) {
                futures.add(pool.submit(t));
            }
            for (Future<Void> f : futures) {
                f.get();
            }
        }
    }

    List<Edge> edges() {
        return edges;
    }

    List<ServiceProcess> workers() {
        return workers;
    }

    ServiceProcess cloudSync() {
        return cloudSync;
    }

    /** A fresh bearer token of cloud-sync's platform admin ({@code POST /api/v1/auth/login}). */
    String cloudToken() {
        TestHttp.Response r = http.post(cloudSync.baseUrl() + "/api/v1/auth/login",
                "{\"username\":\"admin\",\"password\":\"" + adminPassword + "\"}");
        if (!r.ok() || r.body().path("token").asText().isEmpty()) {
            throw new IllegalStateException("cloud-sync admin login failed: " + r);
        }
        return r.body().path("token").asText();
    }

    StripeStub stripe() {
        return stripe;
    }

    java.sql.Connection connectCloudDatabase() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(cloudDbUrl);
    }

    /** The lot's own broker node and PostgreSQL cluster, if it was started with them. */
    java.util.Optional<PrivateRabbit> privateBroker() {
        return java.util.Optional.ofNullable(rabbit);
    }

    /** The lot's own broker cluster, if it was started with one. */
    java.util.Optional<PrivateRabbitCluster> privateCluster() {
        return java.util.Optional.ofNullable(cluster);
    }

    java.util.Optional<PrivatePostgres> privatePostgres() {
        return java.util.Optional.ofNullable(postgres);
    }

    String vhost() {
        return vhost;
    }

    Path workDir() {
        return workDir;
    }

    /** Closes every connection of this lot's vhost on the broker (the broker itself keeps running). */
    String closeBrokerConnections(String reason) {
        return ctl("close_all_connections", "-p", vhost, "--limit", "1000", reason).trim();
    }

    /** Messages ready or unacknowledged per queue of the vhost. */
    Map<String, Long> queueDepths() {
        Map<String, Long> depths = new LinkedHashMap<>();
        String out = ctl("list_queues", "-p", vhost, "-q", "--no-table-headers", "name", "messages");
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[1].matches("\\d+")) {
                depths.put(f[0], Long.parseLong(f[1]));
            }
        }
        return depths;
    }

    private String ctl(String... args) {
        if (cluster != null) {
            return cluster.ctl(args);
        }
        return rabbit != null ? rabbit.ctl(args) : TestBroker.ctl(args);
    }

    /** The edge's outbox backlog from GET /api/v1/sync, or -1 if it does not answer. */
    long outboxPending(Edge edge) {
        try {
            JsonNode sync = http.get(edge.api() + "/sync").body();
            return sync.path("outboxPending").asLong(-1);
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return; // the shutdown hook and the normal path both close
        }
        for (ServiceProcess p : processes) {
            p.stop();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
    }
}
