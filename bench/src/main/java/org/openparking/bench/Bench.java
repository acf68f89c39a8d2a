package org.openparking.bench;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openparking.testing.Charts;

/**
 * The benchmark command ({@code scripts/bench.sh}): prints a markdown table of measured figures, each
 * beside a baseline measured in the same run on the same machine, and writes it to the file given as
 * the first argument. The real-time and payment figures come from those modules' own benchmark mains,
 * run by the script just before; their output files are named by -Dbench.realtime and -Dbench.payments
 * and folded into the same table here. Charts (SVG) go to -Dbench.img.
 */
public final class Bench {
    private static final Pattern LATENCY = Pattern.compile("^(.*\\S)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s*$");
    private static final Pattern PAYMENT_ROW = Pattern.compile(
            "^\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*([\\d.]+)\\s*\\|\\s*([\\d.]+)\\s*\\|\\s*([\\d.]+)\\s*\\|");

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Path.of(args[0]) : null;
        Path root = Path.of(System.getProperty("bench.root", "."));
        int cycles = Integer.getInteger("bench.cycles", 2000);
        Path work = Files.createTempDirectory("parking-bench");
        Path edgeJar = root.resolve("edge-controller/target/edge-controller.jar");
        Table table = new Table();
        EdgeBench.run(table, work, edgeJar, cycles);
        try {
            OutboxBench.run(table, work.resolve("outbox"), edgeJar, Integer.getInteger("bench.outbox-cars", 300));
        } catch (RuntimeException e) {
            table.row("outbox drain rate, packaged edge", "not measured", "", e.getMessage());
        }
        List<String> charts = new ArrayList<>();
        Path img = Path.of(System.getProperty("bench.img", root.resolve("docs/img").toString()));
        Files.createDirectories(img);
        outboxDrain(table, System.getProperty("bench.outbox"));
        realtime(table, System.getProperty("bench.realtime"), img, charts);
        payments(table, System.getProperty("bench.payments"), img, charts);
        portal(table, System.getProperty("bench.portal"));
        String machine = Runtime.getRuntime().availableProcessors() + " cores, "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB max heap, Java "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", host " + InetAddress.getLocalHost().getHostName()
                + ", load average at the end " + loadAverage();
        StringBuilder report = new StringBuilder("Measured " + Instant.now() + " on " + machine + ".\n\n" + table.markdown());
        for (String c : charts) {
            report.append('\n').append(c).append('\n');
        }
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }

    private static final Pattern DRAIN_ROW = Pattern.compile("^(.*\\S)\\s+([\\d,]+)\\s+([\\d.]+)\\s+([\\d,.]+)\\s*$");

    /** OutboxDrainBench's lines (edge-controller, see SYNC.md): what, messages, seconds, msg/s. */
    private static void outboxDrain(Table table, String file) throws Exception {
        if (file == null || !Files.exists(Path.of(file))) {
            table.row("outbox drain rate, relay in-process", "not measured", "", "OutboxDrainBench output missing");
            return;
        }
        String relay = null;
        String bare = null;
        String bareEach = null;
        String endToEnd = null;
        String endToEndRows = null;
        String rows = "?";
        for (String line : Files.readAllLines(Path.of(file))) {
            Matcher m = DRAIN_ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String what = m.group(1);
            if (what.startsWith("relay: SQLite")) {
                relay = m.group(4) + " msg/s";
                rows = m.group(2);
            } else if (what.contains("async confirms")) {
                bare = m.group(4) + " msg/s";
            } else if (what.contains("confirm each")) {
                bareEach = m.group(4);
            } else if (what.startsWith("end to end")) {
                endToEnd = m.group(4) + " events/s";
                endToEndRows = m.group(2);
            }
        }
        table.row("outbox drain rate, OutboxRelay in-process (all confirmed and marked sent)", String.valueOf(relay),
                bare + " raw confirmed publishes (1000 in flight)",
                "OutboxDrainBench, " + rows + " rows; one confirm per message would give " + bareEach + " msg/s");
        table.row("drain rate end to end: edge SQLite backlog -> relay -> RabbitMQ -> cloud-sync -> PostgreSQL",
                String.valueOf(endToEnd), bare + " raw confirmed publishes (same run)",
                "OutboxDrainBench, a backlog of " + endToEndRows + " events written first, the packaged cloud-sync"
                        + " running; timed from the relay's start until cloud-sync stored the last one in order");
    }

    /** RealtimeBench's lines: path, p50, p99, max (ms); plus the edge's entry latency for one chart. */
    private static void realtime(Table table, String file, Path img, List<String> charts) throws Exception {
        List<Charts.Group> groups = new ArrayList<>();
        Stats entry = EdgeBench.httpEntryLatency;
        if (entry != null && entry.count() > 0) {
            groups.add(new Charts.Group("edge entry over HTTP", new double[] {entry.percentileMillis(50),
                    entry.percentileMillis(90), entry.percentileMillis(99)}));
        }
        if (file == null || !Files.exists(Path.of(file))) {
            table.row("availability latency to MQTT / SSE", "not measured", "", "RealtimeBench output missing");
        } else {
            String mqtt = null;
            String sse = null;
            String bare = null;
            for (String line : Files.readAllLines(Path.of(file))) {
                Matcher m = LATENCY.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                String name = m.group(1).trim();
                String figure = m.group(2) + " / " + m.group(3) + " ms";
                groups.add(new Charts.Group(name.replace("spot change (simulator API) -> ", "spot change -> ")
                        .replace(" subscriber", "").replace(" client", "")
                        .replace("bare Paho publish (QoS 1) -> subscriber", "bare broker (Paho QoS 1)"),
                        new double[] {Double.parseDouble(m.group(2)), Double.NaN, Double.parseDouble(m.group(3))}));
                if (name.contains("MQTT")) {
                    mqtt = figure;
                } else if (name.contains("SSE")) {
                    sse = figure;
                } else if (name.contains("bare")) {
                    bare = figure;
                }
            }
            table.row("availability latency, spot change to MQTT subscriber p50 / p99", String.valueOf(mqtt),
                    bare + " bare broker publish to subscriber p50 / p99", "RealtimeBench, local Mosquitto");
            table.row("availability latency, spot change to SSE client p50 / p99", String.valueOf(sse),
                    bare + " bare broker p50 / p99", "RealtimeBench");
        }
        if (!groups.isEmpty()) {
            Files.writeString(img.resolve("latency.svg"), Charts.bars("Latency distributions (ms)", "milliseconds",
                    List.of("p50", "p90 (edge entry only)", "p99"), groups));
            charts.add("![latency distributions](img/latency.svg)");
        }
    }

    private static final Pattern PORTAL_ROW = Pattern.compile(
            "^(\\d+) (polling clients|SSE clients)[^\\d]*?(\\(INCOMPLETE\\))?\\s+(\\d+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s*$");
    private static final Pattern PORTAL_RATE = Pattern.compile("^requests/s while polling: (\\d+)");

    /** cloud-sync PortalBench's lines: N polling clients / N SSE clients, count, p50, p99, max (ms). */
    private static void portal(Table table, String file) throws Exception {
        if (file == null || !Files.exists(Path.of(file))) {
            table.row("portal API latency and SSE fan-out", "not measured", "", "PortalBench output missing");
            return;
        }
        List<String> lines = Files.readAllLines(Path.of(file));
        String rate = lines.stream().map(PORTAL_RATE::matcher).filter(Matcher::find).map(r -> r.group(1))
                .reduce((a, b) -> b).orElse("?");
        for (String line : lines) {
            Matcher m = PORTAL_ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String figure = Math.round(Double.parseDouble(m.group(5))) + " / "
                    + Math.round(Double.parseDouble(m.group(6))) + " ms";
            if (m.group(2).startsWith("polling")) {
                table.row("portal API latency, " + m.group(1) + " concurrent polling clients p50 / p99", figure,
                        rate + " requests/s sustained (" + m.group(4) + " requests in 15 s)",
                        "PortalBench: each client loops GET /lots + GET /lots/A/levels with a JWT (ES256 check and"
                                + " revocation lookup per request), local PostgreSQL");
            } else {
                table.row("portal SSE fan-out, one availability change to " + m.group(1) + " clients p50 / p99",
                        figure, m.group(4) + " of " + m.group(1) + " clients received it"
                                + (m.group(3) == null ? "" : " (incomplete)"),
                        "PortalBench: edge event through RabbitMQ and PostgreSQL to every connected client");
            }
        }
    }

    /** PaymentBenchmark's table rows: consumers | rate limit | seconds | payments/s | ideal. */
    private static void payments(Table table, String file, Path img, List<String> charts) throws Exception {
        if (file == null || !Files.exists(Path.of(file))) {
            table.row("payments/s with 1, 2, 4 workers", "not measured", "", "PaymentBenchmark output missing");
            return;
        }
        List<Charts.Group> groups = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            Matcher m = PAYMENT_ROW.matcher(line);
            if (!m.find()) {
                continue;
            }
            int consumers = Integer.parseInt(m.group(1));
            int limit = Integer.parseInt(m.group(2));
            double rate = Double.parseDouble(m.group(4));
            double ideal = Double.parseDouble(m.group(5));
            String label = consumers + (consumers == 1 ? " worker" : " workers") + (limit != 80 ? ", limit " + limit + "/s" : "");
            if (consumers == 1 || consumers == 2 || consumers == 4 || limit != 80) {
                table.row("payments/s, " + label, String.format(Locale.ROOT, "%.1f", rate),
                        String.format(Locale.ROOT, "%.0f ideal (workers x 1000 / Stripe delay)", Math.min(ideal, limit)),
                        "PaymentBenchmark: competing consumers on one queue, Stripe on WireMock with a fixed delay");
            }
            groups.add(new Charts.Group(label, new double[] {rate, Math.min(ideal, limit)}));
        }
        if (!groups.isEmpty()) {
            Files.writeString(img.resolve("payments-scaling.svg"), Charts.bars("Payments per second by number of workers",
                    "payments/s", List.of("measured", "ideal"), groups));
            charts.add("![payments per second by workers](img/payments-scaling.svg)");
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
