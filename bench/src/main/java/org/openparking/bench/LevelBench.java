package org.openparking.bench;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openparking.testing.Ports;
import org.openparking.testing.TestHttp;

/**
 * Issue 20's figures: an edge jar driven as a level is used. N entry and N exit lanes (8+8) drive whole car
 * passages (entry, safety loop, exit, safety loop) over HTTP on a 2,000-place counting level, beside raw
 * durable SQLite commits on the same disk in the same run; fsyncs per car (strace on the edge process, only
 * inside the driven window), RSS after the cars, start-to-ready, entry p50/p99, and the cost of an idle entry at
 * 100,000 places against 1,000. The jar is started as its launcher starts it: with the {@code edge.jvmopts}
 * and {@code edge.aot} beside it when they exist (a JDK 25 runs this), otherwise on default flags.
 *
 * <p>Usage: {@code LevelBench OUT.md JAR [BASELINE_JAR]}; both jars are measured in the same run, the baseline
 * first. Knobs (-D): bench.level.lanes (8), bench.level.places (2000), bench.level.cars (10000),
 * bench.level.idle-entries (200), bench.level.starts (3).
 */
public final class LevelBench {
    private static final TestHttp HTTP = TestHttp.create(Duration.ofSeconds(5), Duration.ofSeconds(30));
    private static final int LANES = Integer.getInteger("bench.level.lanes", 8);
    private static final int PLACES = Integer.getInteger("bench.level.places", 2000);
    private static final int CARS = Integer.getInteger("bench.level.cars", 10_000);
    private static final int IDLE_ENTRIES = Integer.getInteger("bench.level.idle-entries", 200);
    private static final int STARTS = Integer.getInteger("bench.level.starts", 3);
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private LevelBench() {
    }

    /** One jar's figures, in the order of the goal table. */
    record Figures(String launch, double readyMs, double bareJvmMs, String rss, double txPerSecond, double carsPerSecond,
                   double rawCommitsPerSecond, double entryP50, double entryP99, String fsyncsPerCar,
                   double idleEntrySmall, double idleEntryLarge) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Path jar = Path.of(args[1]);
        Path baseline = args.length > 2 ? Path.of(args[2]) : null;
        Path work = Files.createTempDirectory("level-bench");
        Map<String, Figures> figures = new LinkedHashMap<>();
        if (baseline != null) {
            figures.put("baseline " + baseline, measure(baseline, work.resolve("baseline")));
        }
        figures.put(jar.toString(), measure(jar, work.resolve("edge")));
        String table = markdown(figures);
        System.out.println(table);
        Files.writeString(out, table);
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Figures measure(Path jar, Path dir) throws Exception {
        Files.createDirectories(dir);
        List<String> jvm = launcherOptions(jar);
        System.err.println("level bench: " + jar + " with " + (jvm.isEmpty() ? "default JVM flags" : jvm));
        List<Double> ready = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) {
            try (Edge edge = Edge.start(jar, jvm, dir.resolve("start-" + i), PLACES, 1, false)) {
                ready.add(edge.readyMs);
            }
        }
        ready.sort(Double::compare);
        long v0 = System.nanoTime();
        new ProcessBuilder(JAVA.toString(), "-version").redirectErrorStream(true).start().waitFor();
        double bareJvm = (System.nanoTime() - v0) / 1e6;
        double raw = rawCommitsPerSecond(dir.resolve("raw.db"), Duration.ofSeconds(3));
        Figures level;
        try (Edge edge = Edge.start(jar, jvm, dir.resolve("level"), PLACES, LANES, strace())) {
            level = drive(edge, raw);
        }
        double small;
        try (Edge edge = Edge.start(jar, jvm, dir.resolve("small"), 1_000, 1, false)) {
            small = idleEntries(edge);
        }
        double large;
        try (Edge edge = Edge.start(jar, jvm, dir.resolve("large"), 100_000, 1, false)) {
            large = idleEntries(edge);
        }
        return new Figures(jvm.isEmpty() ? "java -jar (default flags)" : "java " + String.join(" ", jvm) + " -jar",
                ready.get(ready.size() / 2), bareJvm, level.rss(), level.txPerSecond(), level.carsPerSecond(), raw,
                level.entryP50(), level.entryP99(), level.fsyncsPerCar(), small, large);
    }

    /** What scripts/run-edge.sh adds: the argfile beside the jar, and the AOT cache when this JDK can use it. */
    static List<String> launcherOptions(Path jar) {
        List<String> options = new ArrayList<>();
        Path dir = jar.toAbsolutePath().getParent();
        if (Files.exists(dir.resolve("edge.jvmopts"))) {
            options.add("@" + dir.resolve("edge.jvmopts"));
        }
        if (Files.exists(dir.resolve("edge.aot")) && Runtime.version().feature() >= 25) {
            options.add("-XX:AOTCache=" + dir.resolve("edge.aot"));
        }
        return options;
    }

    private static boolean strace() {
        try {
            return new ProcessBuilder("strace", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Single-row durable commits (WAL, synchronous=FULL, as the edge) for {@code time}, on the same disk. */
    static double rawCommitsPerSecond(Path file, Duration time) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                long start = System.nanoTime();
                long end = start + time.toNanos();
                int n = 0;
                while (System.nanoTime() < end) {
                    ps.setString(1, "row " + n++);
                    ps.executeUpdate(); // autocommit: one durable transaction per row
                }
                return n / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** {@link #CARS} whole passages through {@link #LANES} entry and as many exit lanes. */
    private static Figures drive(Edge edge, double raw) throws Exception {
        Stats entry = new Stats(CARS);
        BlockingQueue<String> inside = new LinkedBlockingQueue<>();
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger exited = new AtomicInteger();
        List<Thread> lanes = new ArrayList<>();
        long windowStart = System.currentTimeMillis();
        long start = System.nanoTime();
        for (int lane = 1; lane <= LANES; lane++) {
            String in = "in-" + lane;
            String out = "out-" + lane;
            lanes.add(Thread.ofPlatform().name(in).start(() -> {
                while (entered.getAndIncrement() < CARS) {
                    long t0 = System.nanoTime();
                    TestHttp.Response r = untilAccepted(edge.base + "/lanes/" + in + "/entries", "{}");
                    entry.add(System.nanoTime() - t0);
                    pass(edge.base, in);
                    inside.add(r.body().get("ticket").asText());
                }
            }));
            lanes.add(Thread.ofPlatform().name(out).start(() -> {
                while (exited.get() < CARS) {
                    String ticket;
                    try {
                        ticket = inside.poll(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (ticket != null) {
                        untilAccepted(edge.base + "/lanes/" + out + "/exits", "{\"ticket\":\"" + ticket + "\"}");
                        pass(edge.base, out);
                        exited.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : lanes) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long windowEnd = System.currentTimeMillis();
        String rss = edge.rss();
        long fsyncs = edge.fsyncsBetween(windowStart, windowEnd);
        return new Figures("", 0, 0, rss, 2 * CARS / seconds, CARS / seconds, raw, entry.percentileMillis(50),
                entry.percentileMillis(99), fsyncs < 0 ? "not counted (no strace)"
                : String.format("%.2f (%,d fsync+fdatasync for %,d cars)", (double) fsyncs / CARS, fsyncs, CARS),
                0, 0);
    }

    /** The median latency of {@link #IDLE_ENTRIES} entries one after another on one lane of an empty level. */
    private static double idleEntries(Edge edge) {
        Stats entry = new Stats(IDLE_ENTRIES);
        for (int i = 0; i < IDLE_ENTRIES; i++) {
            long t0 = System.nanoTime();
            untilAccepted(edge.base + "/lanes/in-1/entries", "{}");
            entry.add(System.nanoTime() - t0);
            pass(edge.base, "in-1");
        }
        return entry.percentileMillis(50);
    }

    /** Posts until the lane takes it: LANE_BUSY while its previous car's safety loop is handled, FULL never here. */
    private static TestHttp.Response untilAccepted(String url, String body) {
        while (true) {
            TestHttp.Response r = HTTP.post(url, body);
            if (r.status() == 201 || r.status() == 200) {
                return r;
            }
            if (r.status() != 409 || !"LANE_BUSY".equals(r.error())) {
                throw new IllegalStateException(url + " -> " + r.status() + " " + r.body());
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    private static void pass(String base, String lane) {
        HTTP.post(base + "/simulator/lanes/" + lane + "/safety", "{\"present\":true}");
        HTTP.post(base + "/simulator/lanes/" + lane + "/safety", "{\"present\":false}");
    }

    static String markdown(Map<String, Figures> figures) {
        StringBuilder sb = new StringBuilder("| figure |");
        figures.keySet().forEach(k -> sb.append(' ').append(k.startsWith("baseline ") ? "main (today)" : "this build")
                .append(" |"));
        sb.append(" goal |\n|---|");
        figures.keySet().forEach(k -> sb.append("---|"));
        sb.append("---|\n");
        row(sb, figures, "launch", Figures::launch, "");
        row(sb, figures, "start-to-ready (median of " + STARTS + ", fresh file, until GET /availability answers)",
                f -> ms(f.readyMs()) + " (a bare `java -version`: " + ms(f.bareJvmMs()) + ")", "<= 1,000 ms");
        row(sb, figures, "RSS after " + String.format("%,d", CARS) + " cars", Figures::rss, "<= 96 MB");
        row(sb, figures, "edge transactions/s (entries + exits), " + LANES + "+" + LANES + " lanes, "
                + String.format("%,d", PLACES) + " places", f -> fmt(f.txPerSecond()) + " (" + fmt(f.carsPerSecond())
                + " cars/s)", "");
        row(sb, figures, "raw durable single-row commits/s, same disk, same run", f -> fmt(f.rawCommitsPerSecond()), "");
        row(sb, figures, "edge transactions/s ÷ raw durable commits/s",
                f -> String.format("%.2f", f.txPerSecond() / f.rawCommitsPerSecond()), ">= 0.5");
        row(sb, figures, "entry p50 / p99 over HTTP, " + LANES + "+" + LANES + " busy lanes",
                f -> ms(f.entryP50()) + " / " + ms(f.entryP99()), "p99 <= 10 ms");
        row(sb, figures, "fsyncs per car (strace -f on the edge, driven window only)", Figures::fsyncsPerCar, "<= 4");
        row(sb, figures, "idle entry (median of " + IDLE_ENTRIES + ") at 1,000 / 100,000 places",
                f -> ms(f.idleEntrySmall()) + " / " + ms(f.idleEntryLarge()) + " = "
                        + String.format("%.2fx", f.idleEntryLarge() / f.idleEntrySmall()), "<= 1.2x");
        return sb.toString();
    }

    private static void row(StringBuilder sb, Map<String, Figures> figures, String name,
                            java.util.function.Function<Figures, String> value, String goal) {
        sb.append("| ").append(name).append(" |");
        figures.values().forEach(f -> sb.append(' ').append(value.apply(f)).append(" |"));
        sb.append(' ').append(goal).append(" |\n");
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format("%,.0f", v) : String.format("%.1f", v);
    }

    private static String ms(double v) {
        return String.format("%,.1f ms", v);
    }

    /** An edge jar running as a child process on a counting level of its own. */
    private static final class Edge implements AutoCloseable {
        final Process process;
        final ProcessHandle java;
        final String base;
        final double readyMs;
        final Path straceLog;

        private Edge(Process process, ProcessHandle java, String base, double readyMs, Path straceLog) {
            this.process = process;
            this.java = java;
            this.base = base;
            this.readyMs = readyMs;
            this.straceLog = straceLog;
        }

        static Edge start(Path jar, List<String> jvm, Path dir, int places, int lanes, boolean strace)
                throws Exception {
            Files.createDirectories(dir);
            StringBuilder yaml = new StringBuilder("occupancy:\n  mode: counting\ncapacity:\n  STANDARD: ")
                    .append(places).append("\nlanes:\n");
            for (int i = 1; i <= lanes; i++) {
                yaml.append("  - { id: \"in-").append(i).append("\", direction: ENTRY }\n");
                yaml.append("  - { id: \"out-").append(i).append("\", direction: EXIT }\n");
            }
            Path config = Files.writeString(dir.resolve("edge.yaml"), yaml);
            int port = Ports.free();
            List<String> command = new ArrayList<>();
            Path straceLog = dir.resolve("strace.txt");
            if (strace) {
                command.addAll(List.of("strace", "-f", "--seccomp-bpf", "-ttt", "-e", "trace=fsync,fdatasync", "-o",
                        straceLog.toString()));
            }
            command.add(JAVA.toString());
            command.addAll(jvm);
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("edge.log").toFile());
            pb.environment().putAll(Map.of("PARKING_CONFIG", config.toString(),
                    "EDGE_DB_PATH", dir.resolve("edge.db").toString(), "SERVER_PORT", Integer.toString(port),
                    "SERVER_HOST", "127.0.0.1", "HARDWARE_DEBOUNCE", "PT0S", "HARDWARE_BARRIER_TRAVEL", "PT0.02S",
                    "LANE_PASSAGE_TIMEOUT", "PT60S"));
            long t0 = System.nanoTime();
            Process p = pb.start();
            String base = "http://127.0.0.1:" + port + "/api/v1";
            double ready = -1;
            for (int i = 0; i < 12_000 && p.isAlive(); i++) {
                try {
                    if (HTTP.get(base + "/availability").status() == 200) {
                        ready = (System.nanoTime() - t0) / 1e6;
                        break;
                    }
                } catch (UncheckedIOException notYet) {
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                }
            }
            if (ready < 0) {
                p.destroyForcibly();
                throw new IllegalStateException("the edge did not start; see " + dir.resolve("edge.log"));
            }
            ProcessHandle java = strace ? p.toHandle().children().findFirst().orElseThrow() : p.toHandle();
            return new Edge(p, java, base, ready, strace ? straceLog : null);
        }

        /** VmRSS, with its anonymous and file-backed parts (the AOT cache and jars are mapped files). */
        String rss() throws IOException {
            Map<String, Long> kb = new LinkedHashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/" + java.pid() + "/status"))) {
                String[] parts = line.split("\\s+");
                if (parts[0].equals("VmRSS:") || parts[0].equals("RssAnon:") || parts[0].equals("RssFile:")) {
                    kb.put(parts[0], Long.parseLong(parts[1]));
                }
            }
            return String.format("%.0f MB (anon %.0f, file %.0f)", kb.get("VmRSS:") / 1024.0,
                    kb.get("RssAnon:") / 1024.0, kb.get("RssFile:") / 1024.0);
        }

        /** fsync and fdatasync calls the edge made between the two wall-clock times; -1 without strace. */
        long fsyncsBetween(long fromMillis, long toMillis) throws IOException {
            if (straceLog == null) {
                return -1;
            }
            long n = 0;
            for (String line : Files.readAllLines(straceLog)) {
                // "PID SECONDS.MICROS fsync(12) = 0", or "<... fsync resumed>" for a call already counted
                String[] parts = line.split("\\s+", 3);
                if (parts.length < 3 || parts[2].startsWith("<...") || !(parts[2].startsWith("fsync(")
                        || parts[2].startsWith("fdatasync("))) {
                    continue;
                }
                double at = Double.parseDouble(parts[1]) * 1000;
                if (at >= fromMillis && at <= toMillis) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public void close() throws InterruptedException {
            java.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                java.destroyForcibly();
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }
}
