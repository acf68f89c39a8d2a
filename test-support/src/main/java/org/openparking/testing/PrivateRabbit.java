package org.openparking.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of the test's own: Debian's {@code rabbitmq-server} run as a second node with its own
 * node name, AMQP and distribution ports, base directory (Mnesia, logs, config) and a private HOME (so
 * a private Erlang cookie), management off. A test may {@link #kill9()} it and {@link #start()} it again
 * on the same ports and data: what a broker host's power cut does. The machine's broker on 5672 is never
 * touched. {@link #close()} kills the node and deletes its directory.
 */
public final class PrivateRabbit implements AutoCloseable {
    private static final Path BIN = Path.of(System.getenv().getOrDefault("RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Path dir;
    private final String node;
    private final int amqpPort;
    private final int distPort;
    private volatile Process process;

    private PrivateRabbit(Path dir, String node, int amqpPort, int distPort) {
        this.dir = dir;
        this.node = node;
        this.amqpPort = amqpPort;
        this.distPort = distPort;
    }

    /** Creates the node's directory and config and starts it; returns once it accepts AMQP connections. */
    public static PrivateRabbit start(Path parent) throws IOException, InterruptedException {
        PrivateRabbit rabbit = create(Files.createTempDirectory(parent, "rabbit-"),
                "test-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost", null);
        try {
            rabbit.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            rabbit.close();
            throw e;
        }
        return rabbit;
    }

    /**
     * A node's directory, config and private HOME, not started; with {@code cookie} the HOME holds that Erlang
     * cookie (a {@link PrivateRabbitCluster}'s nodes share one), else Erlang makes one at the first start.
     */
    static PrivateRabbit create(Path dir, String node, String cookie) throws IOException {
        PrivateRabbit rabbit = new PrivateRabbit(dir, node, Ports.free(), Ports.free());
        Files.createDirectories(dir.resolve("home"));
        if (cookie != null) {
            Path file = dir.resolve("home").resolve(".erlang.cookie");
            Files.writeString(file, cookie);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        }
        Files.writeString(dir.resolve("rabbitmq.conf"), """
                listeners.tcp.default = 127.0.0.1:%d
                loopback_users = none
                log.file.level = warning
                """.formatted(rabbit.amqpPort));
        Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        return rabbit;
    }

    Path dir() {
        return dir;
    }

    public int port() {
        return amqpPort;
    }

    public String node() {
        return node;
    }

    /** {@code amqp://guest:guest@127.0.0.1:<port>/<vhost>} ({@code guest} may connect: the node listens on loopback only). */
    public String uri(String vhost) {
        return "amqp://guest:guest@127.0.0.1:" + amqpPort + "/" + vhost;
    }

    /** Starts the node (again) on the same ports and data; returns once it accepts AMQP connections. */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(BIN.resolve("rabbitmq-server").toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.out").toFile()));
        pb.environment().putAll(env());
        process = pb.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepting() || !ready()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("private RabbitMQ node " + node + " exited during start; see "
                        + dir.resolve("server.out"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("private RabbitMQ node " + node + " not up after " + START_TIMEOUT);
            }
            Thread.sleep(250);
        }
    }

    private boolean ready() {
        try {
            ctl("await_startup", "--timeout", "5");
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private boolean accepting() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", amqpPort), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A clean stop ({@code rabbitmqctl stop}) and a start. RabbitMQ 3.10 registers a new quorum queue in a
     * DETS table it writes to disk only every few minutes or on a clean stop: a kill -9 in that window
     * restarts the queue with an empty log, confirmed messages gone (seen here, see docs/reliability.md).
     * Tests that kill the node restart it cleanly once after declaring their queues, as an installation does.
     */
    public synchronized void restartCleanly() throws IOException, InterruptedException {
        ctl("stop");
        Process p = process;
        if (p != null) {
            p.waitFor(60, TimeUnit.SECONDS);
        }
        process = null;
        start();
    }

    /** SIGKILL of the Erlang VM (the beam process, found from the node's pid file): no clean shutdown. */
    public synchronized void kill9() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return;
        }
        long beam = beamPid();
        if (beam > 0) {
            ProcessHandle.of(beam).ifPresent(ProcessHandle::destroyForcibly);
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        if (beam > 0) {
            ProcessHandle.of(beam).ifPresent(h -> h.onExit().join());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (accepting() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        process = null;
    }

    /** The Erlang VM's PID (from the node's pid file), -1 when the node is not running. */
    public long pid() {
        return running() ? beamPid() : -1;
    }

    private long beamPid() {
        try {
            String pid = Files.readString(dir.resolve("pid")).trim();
            return pid.isEmpty() ? -1 : Long.parseLong(pid);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    public boolean running() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** {@code rabbitmqctl -n <node>} with the node's cookie; fails on a non-zero exit. */
    public String ctl(String... args) {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("rabbitmqctl").toString(), "-n", node));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " on " + node + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> env() {
        return Map.ofEntries(
                Map.entry("HOME", dir.resolve("home").toString()),
                Map.entry("RABBITMQ_NODENAME", node),
                Map.entry("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
                Map.entry("RABBITMQ_NODE_PORT", String.valueOf(amqpPort)),
                Map.entry("RABBITMQ_DIST_PORT", String.valueOf(distPort)),
                Map.entry("RABBITMQ_BASE", dir.toString()),
                Map.entry("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString()),
                Map.entry("RABBITMQ_LOG_BASE", dir.resolve("log").toString()),
                Map.entry("RABBITMQ_PID_FILE", dir.resolve("pid").toString()),
                Map.entry("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString()),
                Map.entry("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString()));
    }

    @Override
    public void close() {
        try {
            kill9();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Trees.delete(dir);
    }
}
