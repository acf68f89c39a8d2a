package org.openparking.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.openparking.testing.TestHttp;

/**
 * The soak's sampler ({@code scripts/chaos.sh --soak 1h}): every few seconds, per service process its heap
 * (from /observe/metrics), RSS, threads and open file descriptors (from /proc), per edge its SQLite file,
 * WAL and outbox backlog, and cloud-sync's PostgreSQL table sizes. At the end a CSV, an SVG chart and a
 * table of first / max / last per series, so that growth without bound shows.
 */
final class Soak implements AutoCloseable {
    /** One panel of the chart: a unit and the series drawn in it. */
    private record Panel(String title, String unit, List<String> series) {
    }

    private final Lot lot;
    private final Duration every;
    private final TestHttp http = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(10));
    private final List<Double> times = new ArrayList<>();
    private final Map<String, List<Double>> series = new LinkedHashMap<>();
    private final long t0 = System.nanoTime();
    private volatile boolean stopped;
    private final Thread thread;

    Soak(Lot lot, Duration every) {
        this.lot = lot;
        this.every = every;
        this.thread = Thread.ofPlatform().name("soak-sampler").daemon().start(this::loop);
    }

    private void loop() {
        while (!stopped) {
            sample();
            long until = System.nanoTime() + every.toNanos();
            while (!stopped && System.nanoTime() < until) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void sample() {
        Map<String, Double> v = new LinkedHashMap<>();
        List<ServiceProcess> services = new ArrayList<>();
        lot.edges().forEach(e -> services.add(e.process()));
        services.add(lot.cloudSync());
        services.addAll(lot.workers());
        for (ServiceProcess p : services) {
            long pid = p.pid();
            v.put("heap MiB " + p.name(), heapMiB(p));
            v.put("RSS MiB " + p.name(), pid < 0 ? Double.NaN : procStatus(pid, "VmRSS:") / 1024.0);
            v.put("threads " + p.name(), pid < 0 ? Double.NaN : procStatus(pid, "Threads:"));
            v.put("fds " + p.name(), pid < 0 ? Double.NaN : fds(pid));
        }
        for (Lot.Edge e : lot.edges()) {
            Path db = lot.workDir().resolve(e.levelId() + ".db");
            v.put("SQLite MiB " + e.levelId(), size(db));
            v.put("WAL MiB " + e.levelId(), size(Path.of(db + "-wal")));
            long pending = lot.outboxPending(e);
            v.put("outbox " + e.levelId(), pending < 0 ? Double.NaN : pending);
        }
        try (Connection c = lot.connectCloudDatabase(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT relname, pg_total_relation_size(relid) FROM pg_stat_user_tables"
                     + " WHERE relname IN ('sessions', 'payments', 'processed_messages', 'inbox', 'outbox')")) {
            while (rs.next()) {
                v.put("PostgreSQL MiB " + rs.getString(1), rs.getLong(2) / 1048576.0);
            }
        } catch (SQLException e) {
            // PostgreSQL restarting after a fault: this sample has no table sizes
        }
        synchronized (this) {
            int n = times.size();
            times.add((System.nanoTime() - t0) / 1e9);
            for (Map.Entry<String, Double> e : v.entrySet()) {
                List<Double> s = series.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
                while (s.size() < n) {
                    s.add(Double.NaN);
                }
                s.add(e.getValue());
            }
            for (List<Double> s : series.values()) {
                while (s.size() < times.size()) {
                    s.add(Double.NaN);
                }
            }
        }
    }

    /**
     * The heap in use from the service's Prometheus metrics: the sum of its heap pools'
     * {@code jvm_memory_used_bytes{area="heap"}} (platform {@code JvmMeters}), or Helidon's older
     * {@code memory_usedHeap_bytes}; NaN when it does not answer. (The one-hour soak of 2026-12-01 looked
     * only for the older name, which the services no longer serve, and sampled no heap.)
     */
    private double heapMiB(ServiceProcess p) {
        try {
            TestHttp.Response r = http.get(p.baseUrl() + "/observe/metrics", "Accept", "text/plain");
            double pools = 0;
            boolean found = false;
            for (String line : r.text().split("\n")) {
                if (line.startsWith("memory_usedHeap_bytes")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) / 1048576.0;
                }
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    pools += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            if (found) {
                return pools / 1048576.0;
            }
        } catch (RuntimeException e) {
            // restarting after a kill: no sample
        }
        return Double.NaN;
    }

    private static double procStatus(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(key)) {
                    return Double.parseDouble(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process just died
        }
        return Double.NaN;
    }

    private static double fds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) / 1048576.0 : 0;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }

    /** first / max / last of every series, over the samples of the run. */
    synchronized String table() {
        StringBuilder s = new StringBuilder("| series | first | max | last |\n|---|---:|---:|---:|\n");
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            List<Double> vals = e.getValue().stream().filter(d -> !d.isNaN()).toList();
            if (vals.isEmpty()) {
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", e.getKey(), vals.getFirst(),
                    vals.stream().mapToDouble(Double::doubleValue).max().orElse(0), vals.getLast()));
        }
        return s.append(times.size()).append(" samples, one every ").append(every.toSeconds()).append("s\n").toString();
    }

    synchronized void writeCsv(Path file) throws IOException {
        StringBuilder s = new StringBuilder("t_seconds");
        series.keySet().forEach(k -> s.append(',').append(k));
        s.append('\n');
        for (int i = 0; i < times.size(); i++) {
            s.append(String.format(Locale.ROOT, "%.0f", times.get(i)));
            for (List<Double> v : series.values()) {
                double d = v.get(i);
                s.append(",").append(Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.2f", d));
            }
            s.append('\n');
        }
        Files.writeString(file, s);
    }

    /** One SVG, a panel per kind of figure (2 columns), a line per process or edge. */
    synchronized void writeSvg(Path file, String title) throws IOException {
        List<Panel> panels = new ArrayList<>();
        for (String kind : List.of("heap MiB", "RSS MiB", "threads", "fds", "SQLite MiB", "WAL MiB", "outbox", "PostgreSQL MiB")) {
            List<String> names = series.keySet().stream().filter(k -> k.startsWith(kind + " ")).toList();
            if (!names.isEmpty()) {
                panels.add(new Panel(kind, kind.contains("MiB") ? "MiB" : kind, names));
            }
        }
        int pw = 460;
        int ph = 220;
        int rows = (panels.size() + 1) / 2;
        int width = pw * 2 + 20;
        int height = ph * rows + 50;
        String[] colours = {"#2b6cb0", "#dd6b20", "#38a169", "#d53f8c", "#805ad5", "#718096", "#c53030", "#319795"};
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n"
                .formatted(width, height, width, height));
        s.append("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n".formatted(width, height));
        s.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">").append(escape(title)).append("</text>\n");
        double tMax = times.isEmpty() ? 1 : Math.max(1, times.getLast());
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            int x0 = 10 + (p % 2) * pw + 50;
            int y0 = 40 + (p / 2) * ph;
            int w = pw - 70;
            int h = ph - 60;
            double max = panel.series().stream().flatMap(n -> series.get(n).stream()).filter(d -> !d.isNaN())
                    .mapToDouble(Double::doubleValue).max().orElse(1);
            max = max <= 0 ? 1 : max * 1.1;
            s.append("<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n".formatted(x0, y0 + 10, escape(panel.title())));
            s.append("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>\n".formatted(x0, y0 + 16, w, h));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f</text>%n", x0 - 4, y0 + 24, max));
            s.append("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n".formatted(x0 - 4, y0 + 16 + h));
            s.append("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f min</text>\n".formatted(x0 + w, y0 + 30 + h, tMax / 60));
            for (int i = 0; i < panel.series().size(); i++) {
                String name = panel.series().get(i);
                List<Double> v = series.get(name);
                StringBuilder pts = new StringBuilder();
                for (int k = 0; k < v.size(); k++) {
                    if (!v.get(k).isNaN()) {
                        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x0 + times.get(k) / tMax * w,
                                y0 + 16 + h - v.get(k) / max * h));
                    }
                }
                String colour = colours[i % colours.length];
                s.append("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"><title>%s</title></polyline>\n"
                        .formatted(colour, pts.toString().trim(), escape(name)));
                s.append("<text x=\"%d\" y=\"%d\" fill=\"%s\" font-size=\"10\">%s</text>\n".formatted(x0 + 4 + (i % 4) * 95,
                        y0 + 44 + h + (i / 4) * 12, colour, escape(name.substring(panel.title().length()).trim())));
            }
        }
        s.append("</svg>\n");
        Files.writeString(file, s);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
