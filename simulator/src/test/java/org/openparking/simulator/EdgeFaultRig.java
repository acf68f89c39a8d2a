package org.openparking.simulator;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openparking.testing.Ports;
import org.openparking.testing.TestHttp;

/**
 * One offline edge level as a child process on a SQLite file the test chooses, with entry lanes driven
 * as fast as they let cars in (every entry a synchronous=FULL commit), for the power-cut and full-disk
 * faults. Remembers every entry acknowledged with 201 and every refusal by its error code.
 */
final class EdgeFaultRig implements AutoCloseable {
    static final int LANES = 6;
    private static final TestHttp HTTP = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(10));

    final ServiceProcess edge;
    final Path db;
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    final Map<String, String> refusalBodies = new ConcurrentHashMap<>();
    private final AtomicBoolean driving = new AtomicBoolean();
    private final List<Thread> lanes = new ArrayList<>();

    EdgeFaultRig(Path workDir, Path db) throws Exception {
        this.db = db;
        StringBuilder yaml = new StringBuilder("occupancy:\n  mode: counting\ncapacity:\n  STANDARD: 20000\nlanes:\n");
        for (int i = 1; i <= LANES; i++) {
            yaml.append("  - { id: \"in-").append(i).append("\", direction: ENTRY }\n");
        }
        yaml.append("  - { id: \"out-1\", direction: EXIT }\n");
        Path config = Files.writeString(workDir.resolve("edge.yaml"), yaml);
        int port = Ports.free();
        Map<String, String> env = new HashMap<>();
        env.put("PARKING_CONFIG", config.toString());
        env.put("EDGE_LOT_ID", "lot-faults");
        env.put("EDGE_DB_PATH", db.toString());
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("LANE_PASSAGE_TIMEOUT", "PT0.1S");
        env.put("HARDWARE_BARRIER_TRAVEL", "PT0.02S");
        edge = new ServiceProcess("edge", Lot.repositoryRoot().resolve("edge-controller/target/edge-controller.jar"),
                env, port, workDir.resolve("edge.log"));
    }

    /** Starts the lanes' drivers: each enters a car as soon as its lane lets it. */
    void drive() {
        driving.set(true);
        for (int lane = 1; lane <= LANES; lane++) {
            String url = edge.baseUrl() + "/api/v1/lanes/in-" + lane + "/entries";
            lanes.add(Thread.ofPlatform().name("lane-" + lane).start(() -> {
                while (driving.get()) {
                    try {
                        TestHttp.Response r = HTTP.post(url, "{}");
                        if (r.status() == 201) {
                            acknowledged.add(r.body().get("sessionId").asText());
                        } else {
                            String code = String.valueOf(r.error());
                            refusals.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
                            refusalBodies.putIfAbsent(code, r.status() + " " + r.body());
                            LockSupport.parkNanos(20_000_000); // LANE_BUSY: the previous car's gate is still open
                        }
                    } catch (UncheckedIOException e) {
                        LockSupport.parkNanos(50_000_000); // the edge is down: the terminal tries again
                    }
                }
            }));
        }
    }

    void stopDriving() throws InterruptedException {
        driving.set(false);
        for (Thread t : lanes) {
            t.join();
        }
        lanes.clear();
    }

    /** Waits until {@code n} more entries than now are acknowledged. */
    void awaitEntries(int n, Duration timeout) throws InterruptedException {
        int target = acknowledged.size() + n;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acknowledged.size() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("fewer than " + n + " entries acknowledged in " + timeout + "; refusals " + refusalBodies
                        + edge.logTail());
            }
            Thread.sleep(50);
        }
    }

    long refused(String code) {
        AtomicLong n = refusals.get(code);
        return n == null ? 0 : n.get();
    }

    /** What the level's SQLite file holds, read with the edge stopped. */
    record Stored(String integrity, Set<String> sessions, long sessionRows, long openedEvents) {
    }

    Stored stored() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            String integrity;
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                StringBuilder b = new StringBuilder();
                while (rs.next()) {
                    b.append(b.isEmpty() ? "" : "; ").append(rs.getString(1));
                }
                integrity = b.toString();
            }
            Set<String> sessions = new java.util.HashSet<>();
            long rows = 0;
            try (ResultSet rs = s.executeQuery("SELECT session_id FROM sessions")) {
                while (rs.next()) {
                    sessions.add(rs.getString(1));
                    rows++;
                }
            }
            long opened = 0;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT count(*) FROM outbox WHERE instr(CAST(body AS TEXT), ?) > 0")) {
                for (String id : acknowledged) {
                    p.setString(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        opened += rs.getLong(1) > 0 ? 1 : 0;
                    }
                }
            }
            return new Stored(integrity, sessions, rows, opened);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopDriving();
        edge.kill9();
    }
}
