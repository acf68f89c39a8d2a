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
 * The machine's RabbitMQ, PostgreSQL and Mosquitto are never stopped: only this lot's processes,
 * connections and proxied links.
 */
public final class ChaosSuite {
    static final Set<String> OPTIONS;

    static {
        Set<String> o = new HashSet<>(Cli.TRAFFIC);
        o.addAll(Set.of("chaos-every", "cut", "drain-timeout"));
        OPTIONS = Set.copyOf(o);
    }

    /** What a chaos run did and found. */
    record Result(CountingReport report, List<String> actions, boolean drained, String summary) {
        boolean passed() {
            return drained && report.clean();
        }
    }

    record Options(Lot.Options lot, Traffic.Options traffic, Duration chaosEvery, Duration cut, Duration drainTimeout) {
    }

    private ChaosSuite() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println("scripts/chaos.sh [options]\n" + GarageSimulator.USAGE + """
                      --chaos-every 15s    pause between two chaos actions (default: a tenth of the duration)
                      --cut 30s            how long the edges' broker link stays cut (default: a fifth of the duration)
                      --drain-timeout 3m   how long to wait for outboxes and queues to empty at the end
                    """);
            return;
        }
        Result result = run(options(new Cli(args, OPTIONS)), System.out);
        System.exit(result.passed() ? 0 : 1);
    }

    static Options options(Cli cli) {
        Traffic.Options traffic = Cli.traffic(cli, Duration.ofMinutes(3), 400);
        long seconds = traffic.duration().toSeconds();
        // A high floor limit: while payments are cut off every exit is deferred, never left pending.
        return new Options(Cli.lot(cli, 100_000, Duration.ofSeconds(2)), traffic,
                cli.duration("chaos-every", Duration.ofSeconds(Math.max(3, seconds / 10))),
                cli.duration("cut", Duration.ofSeconds(Math.max(5, seconds / 5))),
                cli.duration("drain-timeout", Duration.ofMinutes(3)));
    }

    static Result run(Options options, PrintStream out) throws Exception {
        Ledger ledger = new Ledger();
        List<String> actions = new ArrayList<>();
        try (Lot lot = GarageSimulator.startLot(options.lot())) {
            Traffic traffic = new Traffic(lot, options.traffic(), ledger);
            Chaos chaos = new Chaos(lot, options, traffic, actions, out);
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
            try (Connection db = lot.cloudDatabase().connect()) {
                report = CountingReport.of(ledger, db, lot.stripe().charges());
            }
            out.println("chaos actions: " + actions.size());
            actions.forEach(a -> out.println("  " + a));
            out.println();
            out.println("counting report" + (drained ? "" : " (NOT DRAINED within " + options.drainTimeout() + ")"));
            out.println(report.table());
            return new Result(report, List.copyOf(actions), drained, summary);
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
        private final List<String> actions;
        private final PrintStream out;
        private final Random random;
        private volatile boolean stopped;

        Chaos(Lot lot, Options options, Traffic traffic, List<String> actions, PrintStream out) {
            this.lot = lot;
            this.options = options;
            this.traffic = traffic;
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
                    switch (step++ % 5) {
                        case 0 -> killAndRestart(lot.edges().get(random.nextInt(lot.edges().size())).process());
                        case 1 -> cutLinks();
                        case 2 -> log("close all broker connections of vhost " + lot.vhost() + ": "
                                + lot.closeBrokerConnections("chaos suite").lines().reduce((a, b) -> b).orElse(""));
                        case 3 -> killAndRestart(lot.cloudSync());
                        default -> killAndRestart(lot.workers().get(random.nextInt(lot.workers().size())));
                    }
                    pause(options.chaosEvery().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log("chaos action failed: " + e);
            }
        }

        private void killAndRestart(ServiceProcess p) throws InterruptedException {
            if (!p.healthy()) {
                log(p.name() + " is still starting: not killed this round");
                return;
            }
            p.kill9();
            long down = 2000 + random.nextInt(3000);
            log("kill -9 " + p.name() + ", restart in " + down / 1000.0 + "s");
            pause(down);
            restart(p);
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

        private void cutLinks() throws InterruptedException {
            log("cut every edge's broker link for " + options.cut().toSeconds() + "s");
            lot.edges().forEach(e -> e.brokerLink().shut());
            pause(options.cut().toMillis());
            restoreLinks();
            log("broker links restored");
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

        private void log(String what) {
            String line = "t=%5.0fs chaos: %s".formatted(traffic.elapsedSeconds(), what);
            synchronized (actions) {
                actions.add(line);
            }
            out.println(line);
        }
    }
}
