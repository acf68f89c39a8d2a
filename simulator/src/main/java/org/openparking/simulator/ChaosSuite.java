package org.openparking.simulator;

import java.io.PrintStream;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The chaos suite ({@code scripts/chaos.sh}): while the simulator drives traffic, it kills edges,
 * cloud-sync and payment workers with kill -9 and restarts them, closes the lot's broker connections,
 * and cuts the edges' link to the broker for a while. Then it lets everything drain and counts every
 * car: see {@link CountingReport}. Exit status 1 when anything is missing, duplicated or double-charged.
 * With {@code --faults broker,postgres} (among others) the lot runs on a private RabbitMQ node and a
 * private PostgreSQL cluster of its own, which the suite kills with kill -9 / stops with
 * {@code pg_ctl stop -m immediate} and restarts. The machine's RabbitMQ, PostgreSQL and Mosquitto are
 * never stopped: only this lot's processes, private services, connections and proxied links.
 */
public final class ChaosSuite {
    static final Set<String> OPTIONS;

    static {
        Set<String> o = new HashSet<>(Cli.TRAFFIC);
        o.addAll(Set.of("chaos-every", "cut", "drain-timeout", "faults", "backlog", "soak", "sample-every", "soak-out",
                "broker-nodes"));
        OPTIONS = Set.copyOf(o);
    }

    /** What a chaos run did and found. */
    record Result(CountingReport report, List<String> actions, List<Faults.Row> faults, boolean drained, String summary,
                  CustomersReport customers) {
        /** Also fails when a lane refused a permit holder its rules let in (offline or not): issue 19. */
        boolean passed() {
            return drained && report.clean() && customers.clean();
        }
    }

    record Options(Lot.Options lot, Traffic.Options traffic, Duration chaosEvery, Duration cut, Duration drainTimeout,
                   List<String> faults, int backlog, Duration sampleEvery, java.nio.file.Path soakOut,
                   int brokerNodes) {
        Options {
            if (faults.isEmpty() || !Faults.KINDS.containsAll(faults)) {
                throw new IllegalArgumentException("--faults is a list of " + Faults.KINDS + ", was " + faults);
            }
            if (brokerNodes != 1 && brokerNodes < 3) {
                // two nodes have no majority left when one dies: a quorum queue stops
                throw new IllegalArgumentException("--broker-nodes is 1 or at least 3, was " + brokerNodes);
            }
        }

        Options(Lot.Options lot, Traffic.Options traffic, Duration chaosEvery, Duration cut, Duration drainTimeout,
                List<String> faults, int backlog, Duration sampleEvery, java.nio.file.Path soakOut) {
            this(lot, traffic, chaosEvery, cut, drainTimeout, faults, backlog, sampleEvery, soakOut, 1);
        }

        /** The broker and PostgreSQL are the lot's own when the suite is to kill them or to cluster the broker. */
        boolean privateServices() {
            return faults.contains("broker") || faults.contains("postgres") || brokerNodes > 1;
        }
    }

    private ChaosSuite() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println("scripts/chaos.sh [options]\n" + GarageSimulator.USAGE + """
                      --chaos-every 15s    pause between two chaos actions (default: a tenth of the duration)
                      --cut 30s            how long the edges' broker link stays cut (default: a fifth of the duration)
                      --drain-timeout 3m   how long to wait for outboxes and queues to empty at the end
                      --faults edge,cut,connections,cloud-sync,worker
                                           the faults thrown in rotation; also broker (kill -9 of the lot's
                                           private RabbitMQ node) and postgres (pg_ctl stop -m immediate of
                                           its private PostgreSQL cluster), which run the lot on those, and
                                           backlog (a cut of --cut while a burst of entries queues events
                                           at the edges; needs --occupancy counting and a large --spots)
                      --broker-nodes 3     the lot's private broker is a RabbitMQ cluster of this many nodes
                                           (1 or at least 3; default 1): every service is given all nodes
                                           (AMQP_NODES, CLOUD_AMQP_NODES), each edge through one proxy per
                                           node (cut shuts them all), and the broker fault kills the node
                                           leading the most quorum queues, restarts it, waits for it to rejoin
                      --backlog 50000      events the backlog fault queues at the edges before the link
                                           comes back (the cut lasts at least --cut either way)
                      --soak 1h            the soak: this long, every fault above in rotation (unless --faults
                                           says otherwise) every --chaos-every (default 3m), and sampling
                      --sample-every 15s   soak sampling interval: heap, RSS, threads, fds, SQLite file and
                                           WAL, outbox, PostgreSQL table sizes
                      --soak-out DIR       where the soak writes soak.csv and soak.svg (default: the lot's logs)
                    """);
            return;
        }
        Result result = run(options(new Cli(args, OPTIONS)), System.out);
        System.exit(result.passed() ? 0 : 1);
    }

    static Options options(Cli cli) {
        Duration soak = cli.duration("soak", null);
        Traffic.Options traffic = Cli.traffic(cli, soak != null ? soak : Duration.ofMinutes(3), 400);
        long seconds = traffic.duration().toSeconds();
        List<String> defaultFaults = soak != null ? Faults.KINDS : Faults.DEFAULT;
        // A high floor limit: while payments are cut off every exit is deferred, never left pending.
        return new Options(Cli.lot(cli, 100_000, Duration.ofSeconds(2)), traffic,
                cli.duration("chaos-every", soak != null ? Duration.ofMinutes(3) : Duration.ofSeconds(Math.max(3, seconds / 10))),
                cli.duration("cut", Duration.ofSeconds(Math.max(5, seconds / 5))),
                cli.duration("drain-timeout", Duration.ofMinutes(3)),
                List.of(cli.string("faults", String.join(",", defaultFaults)).split(",")),
                cli.integer("backlog", 50_000),
                soak != null || cli.string("sample-every", null) != null ? cli.duration("sample-every", Duration.ofSeconds(15)) : null,
                cli.string("soak-out", null) == null ? null : java.nio.file.Path.of(cli.string("soak-out", null)),
                cli.integer("broker-nodes", 1));
    }

    static Result run(Options options, PrintStream out) throws Exception {
        Ledger ledger = new Ledger();
        List<String> actions = new ArrayList<>();
        try (Lot lot = GarageSimulator.startLot(options.lot(), options.privateServices(),
                options.brokerNodes())) {
            Traffic traffic = new Traffic(lot, options.traffic(), ledger);
            // the customers' rules reach every level before the first fault (the chaos clock is the traffic's)
            traffic.prepareCustomers();
            Faults faults = new Faults(lot, ledger);
            Chaos chaos = new Chaos(lot, options, traffic, faults, actions, out);
            Soak soak = options.sampleEvery() == null ? null : new Soak(lot, options.sampleEvery());
            Thread chaosThread = Thread.ofPlatform().name("chaos").start(chaos);
            out.printf("driving %d cars over %ss with chaos every %ss%n", options.traffic().cars(),
                    options.traffic().duration().toSeconds(), options.chaosEvery().toSeconds());
            traffic.run(Duration.ofSeconds(90), () -> out.println(traffic.progressLine()));
            chaos.stop();
            chaosThread.join();
            chaos.restoreAll();
            String summary = GarageSimulator.summary(lot, ledger);
            out.println();
            out.println(summary);
            boolean drained = drain(lot, options.drainTimeout(), out);
            CountingReport report;
            try (Connection db = lot.connectCloudDatabase()) {
                report = CountingReport.of(ledger, db, lot.stripe().charges());
            }
            out.println("chaos actions: " + actions.size());
            actions.forEach(a -> out.println("  " + a));
            out.println();
            out.println("counting report" + (drained ? "" : " (NOT DRAINED within " + options.drainTimeout() + ")"));
            out.println(report.table());
            List<Faults.Row> rows = faults.rows();
            out.println("faults");
            out.println(Faults.table(rows));
            CustomersReport customers = CustomersReport.of(ledger);
            if (options.traffic().customers().any()) {
                out.println("customers: fees and refusals by reason");
                out.println(customers.table());
            }
            if (soak != null) {
                soak.close();
                java.nio.file.Path dir = options.soakOut() != null ? options.soakOut() : lot.workDir();
                java.nio.file.Files.createDirectories(dir);
                soak.writeCsv(dir.resolve("soak.csv"));
                soak.writeSvg(dir.resolve("soak.svg"), "Soak: %d levels, %s of traffic, a fault every %ss"
                        .formatted(options.lot().levels(), options.traffic().duration(), options.chaosEvery().toSeconds()));
                out.println("soak samples (first / max / last), chart and CSV in " + dir);
                out.println(soak.table());
            }
            return new Result(report, List.copyOf(actions), rows, drained, summary, customers);
        }
    }

    /** Waits until every edge's outbox is empty and the lot's queues hold nothing (parking.dead aside). */
    static boolean drain(Lot lot, Duration timeout, PrintStream out) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        int quietRounds = 0;
        long lastPrint = 0;
        while (System.nanoTime() < deadline) {
            List<Long> pending = lot.edges().stream().map(lot::outboxPending).toList();
            Map<String, Long> depths = lot.queueDepths();
            long queued = depths.entrySet().stream().filter(e -> !e.getKey().equals("parking.dead"))
                    .mapToLong(Map.Entry::getValue).sum();
            boolean quiet = pending.stream().allMatch(p -> p == 0) && queued == 0;
            quietRounds = quiet ? quietRounds + 1 : 0;
            if (quietRounds >= 3) {
                out.printf("drained in %.0fs: outboxes empty, queues empty (parking.dead: %d)%n",
                        (System.nanoTime() - t0) / 1e9, depths.getOrDefault("parking.dead", 0L));
                return true;
            }
            if (System.nanoTime() - lastPrint > 10_000_000_000L) {
                lastPrint = System.nanoTime();
                out.printf("draining: edge outboxes %s, queued %d%n", pending, queued);
            }
            Thread.sleep(1000);
        }
        return false;
    }

    /** The chaos monkey: one action at a time, in a fixed rotation, until stopped. */
    private static final class Chaos implements Runnable {
        private final Lot lot;
        private final Options options;
        private final Traffic traffic;
        private final Faults faults;
        private final List<String> actions;
        private final PrintStream out;
        private final Random random;
        private volatile boolean stopped;
        /** The backlog fault counts what was queued when the link came back, and its drain from then. */
        private Faults.Thrown backlogAtRestore;
        /** Burst plates are numbered across every backlog of the run: each plate enters once, as the report assumes. */
        private final java.util.concurrent.atomic.AtomicLong plates = new java.util.concurrent.atomic.AtomicLong();

        Chaos(Lot lot, Options options, Traffic traffic, Faults faults, List<String> actions, PrintStream out) {
            this.lot = lot;
            this.options = options;
            this.traffic = traffic;
            this.faults = faults;
            this.actions = actions;
            this.out = out;
            this.random = new Random(options.traffic().seed());
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            long end = (long) (options.traffic().duration().toMillis() * 0.85);
            int step = 0;
            try {
                pause(options.chaosEvery().toMillis());
                while (!stopped && traffic.elapsedSeconds() * 1000 < end) {
                    String kind = options.faults().get(step++ % options.faults().size());
                    Faults.Thrown fault = faults.begin(kind);
                    boolean thrown = switch (kind) {
                        case "edge" -> killAndRestart(lot.edges().get(random.nextInt(lot.edges().size())).process());
                        case "cut" -> cutLinks();
                        case "connections" -> {
                            log("close all broker connections of vhost " + lot.vhost() + ": "
                                    + lot.closeBrokerConnections("chaos suite").lines().reduce((a, b) -> b).orElse(""));
                            yield true;
                        }
                        case "cloud-sync" -> killAndRestart(lot.cloudSync());
                        case "worker" -> killAndRestart(lot.workers().get(random.nextInt(lot.workers().size())));
                        case "broker" -> killBroker();
                        case "postgres" -> stopPostgres();
                        case "backlog" -> backlog();
                        default -> throw new IllegalStateException(kind);
                    };
                    if (thrown) {
                        faults.thrown(kind.equals("backlog") ? backlogAtRestore : fault, this::log);
                    }
                    pause(options.chaosEvery().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log("chaos action failed: " + e);
            }
        }

        private boolean killAndRestart(ServiceProcess p) throws InterruptedException {
            if (!p.healthy()) {
                log(p.name() + " is still starting: not killed this round");
                return false;
            }
            p.kill9();
            long down = 2000 + random.nextInt(3000);
            log("kill -9 " + p.name() + ", restart in " + down / 1000.0 + "s");
            pause(down);
            restart(p);
            return true;
        }

        /** kill -9 of the lot's RabbitMQ node under traffic, then a restart on the same port and data. */
        private boolean killBroker() throws InterruptedException {
            if (lot.privateCluster().isPresent()) {
                return killClusterNode(lot.privateCluster().get());
            }
            var rabbit = lot.privateBroker().orElseThrow();
            rabbit.kill9();
            long down = 2000 + random.nextInt(3000);
            log("kill -9 RabbitMQ node " + rabbit.node() + ", restart in " + down / 1000.0 + "s");
            pause(down);
            long t0 = System.nanoTime();
            try {
                rabbit.start();
            } catch (java.io.IOException | RuntimeException e) {
                log("restart of the RabbitMQ node failed: " + e);
                return true;
            }
            log("RabbitMQ node up again after %.0fs".formatted((System.nanoTime() - t0) / 1e9));
            return true;
        }

        /**
         * kill -9 of the cluster node leading the most of the lot's quorum queues ({@code rabbitmqctl list_queues
         * name type leader}: the kill that moves the most leaders), then a restart on the same ports and data,
         * returning once it has rejoined the cluster. The other nodes keep serving throughout.
         */
        private boolean killClusterNode(org.openparking.testing.PrivateRabbitCluster cluster) throws InterruptedException {
            Map<String, Integer> leaders;
            int victim;
            try {
                leaders = cluster.quorumLeaders(lot.vhost());
                victim = cluster.leadingMost(lot.vhost());
            } catch (RuntimeException e) {
                log("cannot list the quorum queues' leaders: " + e + "; killing node 0");
                leaders = Map.of();
                victim = -1;
            }
            if (victim < 0) {
                victim = 0;
            }
            var node = cluster.node(victim);
            long pid = node.pid();
            cluster.kill9(victim);
            long down = 2000 + random.nextInt(3000);
            log("kill -9 RabbitMQ node " + node.node() + " (pid " + pid + ", leading the most quorum queues: " + leaders
                    + "), restart in " + down / 1000.0 + "s");
            pause(down);
            long t0 = System.nanoTime();
            try {
                cluster.restart(victim);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                log("restart of RabbitMQ node " + node.node() + " failed: " + e);
                return true;
            }
            log("RabbitMQ node %s rejoined the cluster after %.0fs".formatted(node.node(), (System.nanoTime() - t0) / 1e9));
            return true;
        }

        /** pg_ctl stop -m immediate of the lot's PostgreSQL cluster under traffic, then a restart (crash recovery). */
        private boolean stopPostgres() throws InterruptedException {
            var pg = lot.privatePostgres().orElseThrow();
            try {
                pg.stopImmediate();
                long down = 2000 + random.nextInt(3000);
                log("pg_ctl stop -m immediate of PostgreSQL :" + pg.port() + ", restart in " + down / 1000.0 + "s");
                pause(down);
                long t0 = System.nanoTime();
                pg.start();
                log("PostgreSQL accepting again after %.0fs (crash recovery)".formatted((System.nanoTime() - t0) / 1e9));
            } catch (java.io.IOException | RuntimeException e) {
                log("PostgreSQL stop/restart failed: " + e);
            }
            return true;
        }

        /** Starts the process again; its health is awaited in the background so the chaos goes on meanwhile. */
        private void restart(ServiceProcess p) {
            try {
                p.start();
            } catch (java.io.IOException e) {
                log("restart of " + p.name() + " failed: " + e);
                return;
            }
            long t0 = System.nanoTime();
            Thread.ofVirtual().start(() -> {
                try {
                    p.awaitHealthy(Duration.ofSeconds(240));
                    log("%s healthy again after %.0fs".formatted(p.name(), (System.nanoTime() - t0) / 1e9));
                } catch (Exception e) {
                    log(p.name() + " did not come back: " + e);
                }
            });
        }

        /**
         * A long cut with a large backlog: every edge's link is cut while burst drivers (one per entry lane)
         * push cars in as fast as the lanes let them, until the edges' outboxes hold {@code --backlog}
         * events and {@code --cut} has passed; then the link comes back and the backlog drains through
         * the broker (recovery: until every acknowledged session is in PostgreSQL).
         */
        private boolean backlog() throws InterruptedException {
            log("cut every edge's broker link for a backlog of " + options.backlog() + " events (at least "
                    + options.cut().toSeconds() + "s)");
            lot.edges().forEach(e -> e.brokerLink().shut());
            long t0 = System.nanoTime();
            java.util.concurrent.atomic.AtomicBoolean bursting = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong admitted = new java.util.concurrent.atomic.AtomicLong();
            List<Thread> drivers = new ArrayList<>();
            for (Lot.Edge e : lot.edges()) {
                for (String lane : e.entryLanes()) {
                    drivers.add(Thread.ofPlatform().name("burst-" + e.levelId() + "-" + lane).start(() -> {
                        try {
                            while (bursting.get()) {
                                if (traffic.burstEntry(e, lane, "BL%07d".formatted(plates.incrementAndGet()))) {
                                    admitted.incrementAndGet();
                                } else {
                                    Thread.sleep(50);
                                }
                            }
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
            }
            long queued = 0;
            long lastLog = System.nanoTime();
            while (!stopped) {
                queued = lot.edges().stream().mapToLong(lot::outboxPending).filter(p -> p > 0).sum();
                boolean longEnough = System.nanoTime() - t0 >= options.cut().toNanos();
                if (longEnough && queued >= options.backlog()) {
                    break;
                }
                if (System.nanoTime() - lastLog > 30_000_000_000L) {
                    lastLog = System.nanoTime();
                    log("backlog: %d events queued at the edges, %d burst entries".formatted(queued, admitted.get()));
                }
                Thread.sleep(1000);
            }
            bursting.set(false);
            for (Thread t : drivers) {
                t.join();
            }
            backlogAtRestore = faults.begin("backlog");
            restoreLinks();
            log("broker links restored after %.0fs with %d events queued at the edges (%d burst entries)"
                    .formatted((System.nanoTime() - t0) / 1e9, queued, admitted.get()));
            return true;
        }

        private boolean cutLinks() throws InterruptedException {
            log("cut every edge's broker link for " + options.cut().toSeconds() + "s");
            lot.edges().forEach(e -> e.brokerLink().shut());
            pause(options.cut().toMillis());
            restoreLinks();
            log("broker links restored");
            return true;
        }

        private void restoreLinks() {
            for (Lot.Edge e : lot.edges()) {
                try {
                    e.brokerLink().open();
                } catch (java.io.IOException ex) {
                    log("cannot reopen the link of " + e.levelId() + ": " + ex);
                }
            }
        }

        /** After the run: links open, every process running. */
        void restoreAll() {
            restoreLinks();
            try {
                var rabbit = lot.privateBroker();
                if (rabbit.isPresent() && !rabbit.get().running()) {
                    rabbit.get().start();
                }
                var cluster = lot.privateCluster();
                if (cluster.isPresent()) {
                    for (int i = 0; i < cluster.get().size(); i++) {
                        if (!cluster.get().node(i).running()) {
                            cluster.get().restart(i);
                        }
                    }
                }
                var pg = lot.privatePostgres();
                if (pg.isPresent() && !pg.get().running()) {
                    pg.get().start();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log("cannot restart a private service after the run: " + e);
            }
            List<ServiceProcess> all = new ArrayList<>();
            lot.edges().forEach(e -> all.add(e.process()));
            all.add(lot.cloudSync());
            all.addAll(lot.workers());
            for (ServiceProcess p : all) {
                if (!p.alive()) {
                    restart(p);
                }
            }
            for (ServiceProcess p : all) {
                try {
                    p.awaitHealthy(Duration.ofSeconds(240));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    log(p.name() + " is not healthy after the run: " + e);
                }
            }
        }

        private void pause(long ms) throws InterruptedException {
            long until = System.currentTimeMillis() + ms;
            while (!stopped && System.currentTimeMillis() < until) {
                Thread.sleep(Math.min(200, until - System.currentTimeMillis() + 1));
            }
        }

        void log(String what) {
            String line = "t=%5.0fs chaos: %s".formatted(traffic.elapsedSeconds(), what);
            synchronized (actions) {
                actions.add(line);
            }
            out.println(line);
        }
    }
}
