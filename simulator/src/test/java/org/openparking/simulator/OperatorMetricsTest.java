package org.openparking.simulator;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openparking.testing.Promtool;
import org.openparking.testing.Scrape;
import org.openparking.testing.TestHttp;

/**
 * The real scrapes of every service after a short simulated day (the packaged jars as processes: an edge,
 * cloud-sync, a payment worker, Stripe on WireMock with declines): each passes {@code promtool check
 * metrics}, the series an operator alerts on exist with values that match the traffic, and every metric
 * name the alert rules and dashboards in ops/ use is served by some service.
 */
class OperatorMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Metric names as they appear in the rules' and panels' PromQL (every series of this project has one). */
    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:edge|cloud_sync|payment|occupancy|ramp|jvm|process)_[a-zA-Z0-9_]+)\\b(?!\\s*=)");

    private final TestHttp http = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(15));

    @Test
    void everyServiceServesTheOperatorsMetricsCleanAfterADay() throws Exception {
        Cli cli = new Cli(new String[] {"--duration", "20s", "--cars", "16", "--levels", "1", "--workers", "1",
                "--occupancy", "counting", "--spots", "20", "--declines", "0.3", "--drive-offs", "0"}, Cli.TRAFFIC);
        try (Lot lot = Lot.start(Cli.lot(cli, 1500, Duration.ofSeconds(3)), Lot.repositoryRoot())) {
            Traffic traffic = new Traffic(lot, Cli.traffic(cli, Duration.ofSeconds(20), 16), new Ledger());
            traffic.run(Duration.ofSeconds(60), () -> System.out.println(traffic.progressLine()));
            Lot.Edge edge = lot.edges().getFirst();
            String level = edge.levelId();

            // A refusal by reason: an entry asked of an exit lane.
            assertThat(http.post(edge.api() + "/lanes/" + edge.exitLanes().getFirst() + "/entries", "{}").status(),
                    is(409));
            // A deferred fee: the broker link cut, a car in and out below the floor limit.
            edge.brokerLink().shut();
            await().atMost(Duration.ofSeconds(60)).until(() -> "CLOUD_DOWN".equals(syncState(edge)));
            String ticket = enter(edge);
            // The simulator's tariff has no grace: a stay under a second is free, a longer one costs 50 cents.
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).until(() -> JSON.readTree(
                    http.get(edge.api() + "/quote?ticket=" + ticket).text()).path("amount").asLong() > 0);
            TestHttp.Response exit = awaitLaneFree(() -> http.post(edge.api() + "/lanes/"
                    + edge.exitLanes().getFirst() + "/exits", JSON.writeValueAsString(Map.of("ticket", ticket,
                    "paymentMethod", StripeStub.GOOD_CARD))));
            assertThat(exit.text(), JSON.readTree(exit.text()).path("payment").path("status").asText(), is("DEFERRED"));
            long deferredFee = JSON.readTree(exit.text()).path("fee").path("amount").asLong();
            Scrape offline = scrape(edge.process());
            assertThat("outbox rows wait while the link is cut",
                    offline.sum("edge_outbox_pending_rows", "level", level).orElseThrow(), greaterThan(0.0));
            assertThat(offline.sum("edge_sync_state", "level", level, "state", "CLOUD_DOWN").orElseThrow(), is(1.0));
            edge.brokerLink().open();
            await().atMost(Duration.ofSeconds(90)).until(() -> "ONLINE".equals(syncState(edge)));

            Map<String, String> texts = new LinkedHashMap<>();
            // cloud-sync's fleet gauges are read every fleet.metrics-refresh; the edge reports its status every
            // three heartbeats: wait until the cloud has the edge's reported sync state.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).until(() ->
                    !scrape(lot.cloudSync()).series("cloud_sync_edge_sync_state", "state", "ONLINE").isEmpty());
            texts.put("edge", text(edge.process()));
            texts.put("cloud-sync", text(lot.cloudSync()));
            texts.put("payment-worker", text(lot.workers().getFirst()));
            Map<String, Scrape> scrapes = new LinkedHashMap<>();
            texts.forEach((service, text) -> scrapes.put(service, Scrape.parse(text)));

            Scrape e = scrapes.get("edge");
            int entries = (int) e.sum("edge_entries_total", "level", level).orElseThrow();
            assertThat("cars of the day and the offline one", entries, greaterThanOrEqualTo(2));
            assertThat(e.sum("edge_exits_total", "level", level).orElseThrow(), greaterThan(0.0));
            assertThat(e.sum("edge_refusals_total", "level", level, "reason", "WRONG_DIRECTION").orElseThrow(),
                    is(1.0));
            assertThat(e.sum("edge_fees_charged_minor_total", "level", level).orElseThrow(), greaterThan(0.0));
            assertThat(e.sum("edge_fees_deferred_minor_total", "level", level).orElseThrow(),
                    is((double) deferredFee));
            assertThat("one decision timed per entry", e.sum("edge_gate_decision_seconds_count", "level", level,
                    "direction", "ENTRY", "outcome", "admitted").orElseThrow(), is((double) entries));
            assertThat(e.sum("edge_spots_capacity", "level", level, "vehicle_type", "STANDARD").orElseThrow(),
                    is(20.0));
            assertThat("every barrier is in exactly one state", e.sum("edge_lane_barrier_state", "level", level)
                    .orElseThrow(), is((double) edge.entryLanes().size() + edge.exitLanes().size()));
            assertThat(e.sum("edge_barrier_faults_total", "level", level).orElseThrow(), is(0.0));
            assertThat(e.sum("edge_sync_state", "level", level, "state", "ONLINE").orElseThrow(), is(1.0));
            assertThat(e.series("edge_outbox_oldest_pending_age_seconds", "level", level), hasSize(1));
            assertThat(e.series("occupancy_drift_total", "level", level), hasSize(1));
            assertThat(e.series("jvm_memory_used_bytes"), not(empty()));

            Scrape c = scrapes.get("cloud-sync");
            assertThat(c.sum("cloud_sync_events_applied_total").orElseThrow(), greaterThan((double) entries));
            double lastSeen = c.sum("cloud_sync_edge_last_seen_timestamp_seconds").orElseThrow();
            assertThat("last heard from within the last two minutes", lastSeen,
                    closeTo(System.currentTimeMillis() / 1000.0, 120));
            assertThat(c.sum("cloud_sync_level_capacity_spots", "level", level).orElseThrow(), is(20.0));
            assertThat(c.series("cloud_sync_unable_to_collect_payments", "lot", Lot.LOT_ID),
                    hasSize(1));
            assertThat(c.sum("cloud_sync_dead_letter_messages").orElseThrow(), is(0.0));
            assertThat(c.series("cloud_sync_sse_clients"), hasSize(1));

            Scrape p = scrapes.get("payment-worker");
            assertThat(p.sum("payment_requests_total", "outcome", "PAID").orElseThrow(), greaterThan(0.0));
            assertThat("declined cards are Stripe card errors", p.sum("payment_stripe_calls_total",
                    "outcome", "DECLINED", "error_class", "card_error").orElseThrow(), greaterThan(0.0));
            assertThat(p.sum("payment_stripe_calls_total", "outcome", "PAID", "error_class", "none").orElseThrow(),
                    greaterThan(0.0));

            Set<String> served = new TreeSet<>();
            for (Map.Entry<String, String> t : texts.entrySet()) {
                Promtool.Result lint = Promtool.checkMetrics(t.getValue());
                assertThat(t.getKey() + ": promtool check metrics says\n" + lint.output(), lint.passed(), is(true));
                served.addAll(scrapes.get(t.getKey()).names());
            }
            List<String> missing = new ArrayList<>();
            for (String name : usedByOps()) {
                if (!served.contains(name)) {
                    missing.add(name);
                }
            }
            assertThat("metrics used by ops/ rules and dashboards but served by no service", missing, empty());
        }
    }

    private String text(ServiceProcess p) {
        TestHttp.Response r = http.get(p.baseUrl() + "/observe/metrics");
        assertThat(r.status(), is(200));
        return r.text();
    }

    private Scrape scrape(ServiceProcess p) {
        return Scrape.parse(text(p));
    }

    private String syncState(Lot.Edge edge) throws IOException {
        return JSON.readTree(http.get(edge.api() + "/sync").text()).path("state").asText();
    }

    private String enter(Lot.Edge edge) throws Exception {
        TestHttp.Response r = awaitLaneFree(() -> http.post(edge.api() + "/lanes/" + edge.entryLanes().getFirst()
                + "/entries", "{}"));
        assertThat(r.text(), r.status(), is(201));
        return JSON.readTree(r.text()).path("ticket").asText();
    }

    /** Retries while the lane still lets the previous car through (its passage timeout is 3 s). */
    private static TestHttp.Response awaitLaneFree(java.util.concurrent.Callable<TestHttp.Response> call) {
        java.util.concurrent.atomic.AtomicReference<TestHttp.Response> last = new java.util.concurrent.atomic
                .AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            last.set(call.call());
            return !last.get().text().contains("LANE_BUSY");
        });
        return last.get();
    }

    /** Every metric name in the alert rules' expressions and the dashboards' panel queries. */
    static Set<String> usedByOps() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(OpsRulesAndDashboardsTest.OPS.resolve("prometheus/rules.yml"))) {
            if (!line.trim().startsWith("summary:") && !line.trim().startsWith("description:")
                    && !line.trim().startsWith("#")) {
                names.addAll(metrics(line));
            }
        }
        for (Path d : OpsRulesAndDashboardsTest.DASHBOARDS) {
            JsonNode dashboard = JSON.readTree(d.toFile());
            for (String expr : OpsRulesAndDashboardsTest.panelQueries(dashboard)) {
                names.addAll(metrics(expr));
            }
        }
        assertThat(names.size(), greaterThan(20));
        return names;
    }

    private static Set<String> metrics(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
