package org.openparking.bench;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openparking.edge.EdgeApplication;
import org.openparking.platform.config.ParkingConfig;
import org.openparking.platform.jdbc.SqliteSettings;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.session.ParkingService;
import org.openparking.firmware.HardwareConfig;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Ports;
import org.openparking.testing.TestHttp;

/**
 * Edge figures of issue 2 and 8: entries+exits per second through the service layer and through HTTP,
 * beside single-row durable SQLite commits with the same pragmas on the same disk; entry latency; and
 * the packaged jar's start-to-ready time and memory.
 */
final class EdgeBench {
    private static final int LANE_PAIRS = 4;

    private EdgeBench() {
    }

    static void run(Table table, Path work, Path jar, int cycles) throws Exception {
        rawSqlite(table, work.resolve("raw"), cycles * 2);
        serviceLayer(table, work.resolve("service"), cycles);
        http(table, work.resolve("http"), cycles);
        if (Files.exists(jar)) {
            startup(table, work.resolve("startup"), jar);
        } else {
            table.row("edge start-to-ready", "not measured", "", jar + " missing: build with ./mvnw package");
        }
    }

    private static void rawSqlite(Table table, Path dir, int commits) throws Exception {
        Files.createDirectories(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("raw.db"));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                long start = System.nanoTime();
                for (int i = 0; i < commits; i++) {
                    ps.setString(1, "row " + i);
                    ps.executeUpdate(); // autocommit: one durable transaction per row
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                rawCommitsPerSecond = commits / seconds;
            }
        }
    }

    private static double rawCommitsPerSecond;
    /** Entry latencies over HTTP of the last run, for the latency chart. */
    static Stats httpEntryLatency;

    private static void serviceLayer(Table table, Path dir, int cycles) throws Exception {
        try (EdgeApplication edge = EdgeApplication.start(settings(dir), serverConfig())) {
            ParkingService parking = edge.parking();
            Stats entry = new Stats(cycles);
            long start = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                long t0 = System.nanoTime();
                ParkingService.Admission a = parking.admit("in-1", null, VehicleType.STANDARD);
                entry.add(System.nanoTime() - t0);
                parking.depart("out-1", a.ticket(), null);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            table.row("edge transactions/s, service layer (entry or exit, each one SQLite transaction)",
                    fmt(2 * cycles / seconds), fmt(rawCommitsPerSecond) + " raw single-row durable commits/s",
                    "WAL, synchronous=FULL, same disk; " + cycles + " entries + " + cycles + " exits");
            table.row("entry latency, service layer p50 / p99", ms(entry.percentileMillis(50)) + " / "
                    + ms(entry.percentileMillis(99)), "", cycles + " entries, one thread");
        }
    }

    private static void http(Table table, Path dir, int cycles) throws Exception {
        try (EdgeApplication edge = EdgeApplication.start(settings(dir), serverConfig())) {
            String base = "http://127.0.0.1:" + edge.port() + "/api/v1";
            TestHttp client = TestHttp.create();
            Stats entry = new Stats(cycles);
            AtomicLong done = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(LANE_PAIRS);
            List<Future<?>> futures = new ArrayList<>();
            int perLane = cycles / LANE_PAIRS;
            long start = System.nanoTime();
            for (int lane = 1; lane <= LANE_PAIRS; lane++) {
                String in = "in-" + lane;
                String out = "out-" + lane;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perLane; i++) {
                        long t0 = System.nanoTime();
                        TestHttp.Response r = untilNotBusy(client, base + "/lanes/" + in + "/entries", "{}");
                        entry.add(System.nanoTime() - t0);
                        String ticket = r.body().get("ticket").asText();
                        pass(client, base, in);
                        untilNotBusy(client, base + "/lanes/" + out + "/exits", "{\"ticket\":\"" + ticket + "\"}");
                        pass(client, base, out);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
                pool.awaitTermination(5, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            table.row("edge entries+exits/s through HTTP (" + LANE_PAIRS + " lane pairs)",
                    fmt(2 * done.get() / seconds), fmt(rawCommitsPerSecond) + " raw commits/s",
                    "each car: entry, pass, exit, pass (simulator calls included)");
            httpEntryLatency = entry;
            table.row("entry latency over HTTP p50 / p99", ms(entry.percentileMillis(50)) + " / "
                    + ms(entry.percentileMillis(99)), "", entry.count() + " entries, " + LANE_PAIRS + " concurrent lanes");
        }
    }

    private static TestHttp.Response untilNotBusy(TestHttp client, String url, String body) {
        while (true) {
            TestHttp.Response r = client.post(url, body);
            if (r.status() == 201 || r.status() == 200) {
                return r;
            }
            if (r.status() != 409 || !"LANE_BUSY".equals(r.error())) {
                throw new IllegalStateException(url + " -> " + r);
            }
            Thread.onSpinWait();
        }
    }

    private static void pass(TestHttp client, String base, String lane) {
        client.post(base + "/simulator/lanes/" + lane + "/safety", "{\"present\":true}");
        client.post(base + "/simulator/lanes/" + lane + "/safety", "{\"present\":false}");
    }

    private static void startup(Table table, Path dir, Path jar) throws Exception {
        Files.createDirectories(dir);
        long jvmStart = System.nanoTime();
        Process version = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).start();
        version.getInputStream().readAllBytes();
        version.waitFor();
        double bareJvm = (System.nanoTime() - jvmStart) / 1e6;

        int port = Ports.free();
        long start = System.nanoTime();
        Process p = org.openparking.testing.JavaProcess.start(jar, Map.of("EDGE_DB_PATH",
                dir.resolve("edge.db").toString(), "SERVER_PORT", Integer.toString(port)), dir.resolve("edge.log"));
        TestHttp client = TestHttp.create();
        double ready = -1;
        try {
            for (int i = 0; i < 1200; i++) {
                try {
                    if (client.get("http://127.0.0.1:" + port + "/api/v1/availability").status() == 200) {
                        ready = (System.nanoTime() - start) / 1e6;
                        break;
                    }
                } catch (UncheckedIOException notYet) {
                    Thread.sleep(50);
                }
            }
            String rss = Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("VmRSS: ?").replaceAll("\\s+", " ");
            table.row("edge start-to-ready (java -jar until GET /availability answers)", fmt(ready) + " ms",
                    fmt(bareJvm) + " ms for a bare `java -version`", "default settings, fresh SQLite file");
            table.row("edge process memory after start (RSS)", rss.substring(rss.indexOf(':') + 1).trim(), "",
                    "default JVM flags; on a 1 GB Pi add -Xmx256m");
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    static EdgeSettings settings(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<EdgeSettings.Lane> lanes = new ArrayList<>();
        List<HardwareConfig.LaneWiring> wiring = new ArrayList<>();
        for (int i = 1; i <= LANE_PAIRS; i++) {
            lanes.add(new EdgeSettings.Lane("in-" + i, EdgeSettings.Direction.ENTRY));
            lanes.add(new EdgeSettings.Lane("out-" + i, EdgeSettings.Direction.EXIT));
        }
        lanes.forEach(l -> wiring.add(new HardwareConfig.LaneWiring(l.id(), -1, -1, -1, -1, -1, -1)));
        HardwareConfig hardware = new HardwareConfig(HardwareConfig.Mode.SIMULATED, Duration.ZERO,
                Duration.ofMillis(20), wiring, List.of(), null);
        return new EdgeSettings("bench", "L0",
                SqliteSettings.create(ParkingConfig.defaults().get("edge")).withFile(dir.resolve("edge.db")), hardware,
                EdgeSettings.OccupancyMode.COUNTING, lanes,
                EdgeSettings.spotsFromCapacity(Map.of(VehicleType.STANDARD, 1_000)),
                new Tariff(1, "EUR", 15, 60, 300, 2400, 5000), "bench-ticket-secret-0123456789",
                Duration.ofSeconds(30), new EdgeSettings.Payments(1500, Duration.ofSeconds(1), Duration.ofMinutes(15)),
                new EdgeSettings.Mqtt("", "bench", "", "", Duration.ofSeconds(10)), "", null);
    }

    private static Config serverConfig() {
        return Config.just(ConfigSources.create(Map.of("port", "0", "host", "127.0.0.1")));
    }

    static String fmt(double v) {
        return v >= 100 ? String.format("%,.0f", v) : String.format("%.1f", v);
    }

    static String ms(double v) {
        return String.format("%.2f ms", v);
    }
}
