package org.openparking.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own: {@code initdb} into a temp directory, {@code pg_ctl start} on
 * its own port (loopback only, trust), so a test may {@link #stopImmediate()} it (no checkpoint: crash
 * recovery on the next start) and {@link #start()} it again on the same port and data. PostgreSQL refuses
 * to run as root, so when the JVM is root the binaries run as the {@code postgres} user through
 * {@code runuser} and the directory is handed to that user. The machine's server on 5432 is never touched.
 * {@link #close()} stops the cluster and deletes its directory.
 */
public final class PrivatePostgres implements AutoCloseable {
    public static final String USER = "postgres";
    private static final String OS_USER = System.getenv().getOrDefault("PARKING_TEST_PG_OS_USER", "postgres");

    private final Path bin;
    private final Path dir;
    private final int port;

    private PrivatePostgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** initdb and start; returns once the cluster accepts connections. */
    public static PrivatePostgres start(Path parent) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(parent, "pg-");
        PrivatePostgres pg = new PrivatePostgres(binaries(), dir, Ports.free());
        try {
            if (root()) {
                run(List.of("chown", "-R", OS_USER, dir.toString()));
                // the parent temp directories must be traversable by the postgres user
                for (Path p = dir.getParent(); p != null && !p.equals(Path.of("/tmp")) && !p.equals(p.getRoot()); p = p.getParent()) {
                    p.toFile().setExecutable(true, false);
                }
            }
            pg.pg("initdb", "-D", pg.data(), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync");
            pg.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    /** The newest {@code /usr/lib/postgresql/<n>/bin} (or {@code PARKING_TEST_PG_BIN}). */
    private static Path binaries() throws IOException {
        String configured = System.getenv("PARKING_TEST_PG_BIN");
        if (configured != null) {
            return Path.of(configured);
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max((a, b) -> Integer.compare(version(a), version(b)))
                    .orElseThrow(() -> new IllegalStateException("no pg_ctl under /usr/lib/postgresql/*/bin"));
        }
    }

    private static int version(Path bin) {
        String v = bin.getParent().getFileName().toString();
        return v.matches("\\d+") ? Integer.parseInt(v) : 0;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    public int port() {
        return port;
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    /** Starts the cluster (again) on the same port and data directory; waits until it accepts connections. */
    public synchronized void start() throws IOException, InterruptedException {
        pg("pg_ctl", "-D", data(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "120",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=on", "start");
    }

    /** {@code pg_ctl stop -m immediate}: every backend killed without a checkpoint, as a crash does. */
    public synchronized void stopImmediate() throws IOException, InterruptedException {
        pg("pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop");
    }

    public boolean running() {
        try {
            pg("pg_ctl", "-D", data(), "status");
            return true;
        } catch (IllegalStateException | IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A new database in this cluster; returns its JDBC URL. */
    public String createDatabase() throws SQLException {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(url("postgres")); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    private void pg(String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (root()) {
            command.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(args));
        run(command);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        try {
            pg("pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop");
        } catch (IOException | RuntimeException e) {
            // not running (or never initialised): nothing to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Trees.delete(dir);
    }
}
