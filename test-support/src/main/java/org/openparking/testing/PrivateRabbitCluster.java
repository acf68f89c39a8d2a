package org.openparking.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A RabbitMQ cluster of the test's own: N {@link PrivateRabbit} nodes (own node names, AMQP and distribution
 * ports, Mnesia and log directories under one temp dir) sharing one random Erlang cookie, started together,
 * nodes 1.. joined to node 0, and awaited until all N are running in one cluster. A test may
 * {@link #kill9(int)} a node by its Erlang VM's PID and {@link #restart(int)} it on the same ports and data,
 * which returns once it has rejoined. Users, vhosts and permissions are the cluster's (the default
 * {@code guest}, allowed over loopback, as on {@link PrivateRabbit}). The machine's broker on 5672 is never
 * touched. {@link #close()} kills every node and deletes the directory.
 */
public final class PrivateRabbitCluster implements AutoCloseable {
    private static final Duration REJOIN_TIMEOUT = Duration.ofSeconds(180);

    private final Path dir;
    private final List<PrivateRabbit> nodes;

    private PrivateRabbitCluster(Path dir, List<PrivateRabbit> nodes) {
        this.dir = dir;
        this.nodes = nodes;
    }

    /** Creates, starts and clusters {@code size} nodes; returns once every one is running in the cluster. */
    public static PrivateRabbitCluster start(Path parent, int size) throws Exception {
        if (size < 2) {
            throw new IllegalArgumentException("a cluster has at least 2 nodes, was " + size);
        }
        Path dir = Files.createTempDirectory(parent, "rabbit-cluster-");
        byte[] secret = new byte[20];
        new SecureRandom().nextBytes(secret);
        String cookie = HexFormat.of().formatHex(secret).toUpperCase(java.util.Locale.ROOT);
        String tag = "c" + UUID.randomUUID().toString().substring(0, 6);
        List<PrivateRabbit> nodes = new ArrayList<>();
        PrivateRabbitCluster cluster = new PrivateRabbitCluster(dir, nodes);
        try {
            for (int i = 0; i < size; i++) {
                nodes.add(PrivateRabbit.create(dir.resolve("n" + i), tag + "-n" + i + "@localhost", cookie));
            }
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // the three start together: each takes 10-60 s on a loaded machine
                for (Future<Void> started : pool.invokeAll(nodes.stream().<Callable<Void>>map(n -> () -> {
                    n.start();
                    return null;
                }).toList())) {
                    started.get();
                }
            }
            String first = nodes.getFirst().node();
            for (PrivateRabbit n : nodes.subList(1, size)) {
                n.ctl("stop_app");
                n.ctl("join_cluster", first);
                n.ctl("start_app");
            }
            cluster.awaitAllRunning(nodes.getFirst());
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    public int size() {
        return nodes.size();
    }

    public PrivateRabbit node(int index) {
        return nodes.get(index);
    }

    /** Every node's AMQP address, {@code 127.0.0.1:port}, in node order (a service's node list). */
    public List<String> addresses() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.port()).toList();
    }

    /** {@code amqp://guest:guest@127.0.0.1:<node 0's port>/<vhost>}: the credentials and vhost for a node list. */
    public String uri(String vhost) {
        return nodes.getFirst().uri(vhost);
    }

    /** {@code rabbitmqctl} on the first running node (cluster-wide commands: vhosts, users, queues). */
    public String ctl(String... args) {
        return running().ctl(args);
    }

    private PrivateRabbit running() {
        return nodes.stream().filter(PrivateRabbit::running).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of the private cluster is running"));
    }

    /** SIGKILL of node {@code index}'s Erlang VM: no clean shutdown, the others keep running. */
    public void kill9(int index) throws InterruptedException {
        nodes.get(index).kill9();
    }

    /**
     * Starts node {@code index} again on the same ports and data; returns once it is running and every node of
     * the cluster is online again as seen from it ({@code rabbitmqctl await_online_nodes}).
     */
    public void restart(int index) throws Exception {
        PrivateRabbit n = nodes.get(index);
        n.start();
        awaitAllRunning(n);
    }

    private void awaitAllRunning(PrivateRabbit seenFrom) throws InterruptedException {
        long deadline = System.nanoTime() + REJOIN_TIMEOUT.toNanos();
        while (true) {
            try {
                seenFrom.ctl("await_online_nodes", String.valueOf(nodes.size()), "--timeout", "10");
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("private cluster: " + seenFrom.node() + " does not see "
                            + nodes.size() + " nodes online after " + REJOIN_TIMEOUT + ": " + e.getMessage());
                }
                Thread.sleep(500);
            }
        }
    }

    /**
     * How many of the vhost's quorum queues each node leads ({@code rabbitmqctl list_queues name type leader}),
     * every node listed, in node order.
     */
    public Map<String, Integer> quorumLeaders(String vhost) {
        Map<String, Integer> leaders = new LinkedHashMap<>();
        nodes.forEach(n -> leaders.put(n.node(), 0));
        String out = ctl("list_queues", "-p", vhost, "-q", "--no-table-headers", "name", "type", "leader");
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[1].equals("quorum")) {
                leaders.computeIfPresent(f[2], (k, v) -> v + 1);
            }
        }
        return leaders;
    }

    /** The node leading the most of the vhost's quorum queues (the lowest index on a tie); -1 when none leads one. */
    public int leadingMost(String vhost) {
        Map<String, Integer> leaders = quorumLeaders(vhost);
        int best = -1;
        int most = 0;
        for (int i = 0; i < nodes.size(); i++) {
            int led = leaders.getOrDefault(nodes.get(i).node(), 0);
            if (led > most) {
                most = led;
                best = i;
            }
        }
        return best;
    }

    /**
     * A clean stop and start of each node in turn, each rejoined before the next: RabbitMQ 3.10 writes a new
     * quorum queue's registration to disk only every few minutes or on a clean stop
     * ({@link PrivateRabbit#restartCleanly()}); tests that kill nodes do this once after declaring their queues.
     */
    public void restartCleanly() throws Exception {
        for (PrivateRabbit n : nodes) {
            n.restartCleanly();
            awaitAllRunning(n);
        }
    }

    /**
     * Writes every node's open DETS tables to disk ({@code dets:sync/1}), among them the Raft registry where
     * RabbitMQ 3.10 records a new quorum queue member and which it otherwise saves every few minutes. A
     * seconds-long alternative to {@link #restartCleanly()} after the queues are declared; returns the tables.
     */
    public String syncRegistrations() {
        StringBuilder synced = new StringBuilder();
        for (PrivateRabbit n : nodes) {
            if (n.running()) {
                synced.append(n.node()).append(' ')
                        .append(n.ctl("eval", "[{T, dets:sync(T)} || T <- dets:all()].").trim()).append('\n');
            }
        }
        return synced.toString();
    }

    @Override
    public void close() {
        for (PrivateRabbit n : nodes) {
            n.close();
        }
        Trees.delete(dir);
    }

    @Override
    public String toString() {
        return "PrivateRabbitCluster" + addresses();
    }

    Path dir() {
        return dir;
    }
}
