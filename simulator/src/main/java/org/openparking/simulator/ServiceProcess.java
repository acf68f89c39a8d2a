package org.openparking.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.TestHttp;

/** One service of the lot as a child process (a runnable jar), restartable after a kill -9. */
final class ServiceProcess {
    private static final String[] JVM_ARGS = {"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"};

    private final String name;
    private final Path jar;
    private final Map<String, String> env;
    private final int port;
    private final Path log;
    private final TestHttp http = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(15));
    private volatile Process process;

    ServiceProcess(String name, Path jar, Map<String, String> env, int port, Path log) {
        this.name = name;
        this.jar = jar;
        this.env = Map.copyOf(env);
        this.port = port;
        this.log = log;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    synchronized void start() throws IOException {
        process = JavaProcess.start(jar, env, log, JVM_ARGS);
    }

    /** SIGKILL: no shutdown hook runs, as in a power cut. */
    void kill9() throws InterruptedException {
        Process p = process;
        if (p != null) {
            JavaProcess.kill9(p);
        }
    }

    /** The running process's id, -1 when it is not running. */
    long pid() {
        Process p = process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    boolean healthy() {
        try {
            return alive() && http.get(baseUrl() + "/observe/health").status() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    void awaitHealthy(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!healthy()) {
            if (!alive()) {
                throw new IllegalStateException(name + " exited during start; see " + log + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not healthy after " + timeout + "; see " + log + logTail());
            }
            Thread.sleep(100);
        }
    }

    /** The last lines of the process's log, for a failure message (a test's temp dir is gone afterwards). */
    String logTail() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return "\n--- last lines of " + log + "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return " (no log: " + e + ")";
        }
    }

    /** Polite stop (SIGTERM), then SIGKILL after a few seconds. */
    void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
