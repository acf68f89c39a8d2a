package org.openparking.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.testing.Promtool;

/**
 * The shipped alert rules and Grafana dashboards (ops/), checked by Prometheus' own promtool: the rules
 * validate and pass their unit tests (rules-test.yml: alerts that must fire and cases that must not), and
 * every dashboard is a Grafana dashboard model whose every panel query parses as PromQL. That every metric
 * they name is really served is {@link OperatorMetricsTest}'s part.
 */
class OpsRulesAndDashboardsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path OPS = Lot.repositoryRoot().resolve("ops");
    static final List<Path> DASHBOARDS = List.of(OPS.resolve("grafana/lot.json"), OPS.resolve("grafana/fleet.json"));

    @Test
    void theAlertRulesValidate() {
        Promtool.Result r = Promtool.checkRules(OPS.resolve("prometheus/rules.yml"));
        assertThat(r.output(), r.passed(), is(true));
        assertThat(r.output(), containsString("SUCCESS"));
    }

    @Test
    void theAlertRulesPassTheirUnitTests() {
        Promtool.Result r = Promtool.testRules(OPS.resolve("prometheus/rules-test.yml"));
        assertThat(r.output(), r.passed(), is(true));
    }

    @Test
    void aRuleUnitTestExpectingTheWrongAlertFails(@TempDir Path dir) throws IOException {
        // The check can fail: the same rules, one expectation flipped (a silent edge that must not page).
        Files.copy(OPS.resolve("prometheus/rules.yml"), dir.resolve("rules.yml"));
        String tests = Files.readString(OPS.resolve("prometheus/rules-test.yml"));
        String flipped = tests.replaceFirst("(?s)(eval_time: 10m\\s+alertname: EdgeSilent\\s+exp_alerts:).*?(\\n\\n)",
                "$1 []$2");
        assertThat("the test file has the case to flip", flipped, not(is(tests)));
        Files.writeString(dir.resolve("rules-test.yml"), flipped);
        Promtool.Result r = Promtool.testRules(dir.resolve("rules-test.yml"));
        assertThat(r.output(), r.passed(), is(false));
        assertThat(r.output(), containsString("EdgeSilent"));
    }

    @Test
    void everyDashboardIsADashboardModelWithUniquePanelsOnTheGrid() throws IOException {
        for (Path file : DASHBOARDS) {
            JsonNode d = JSON.readTree(file.toFile());
            for (String field : List.of("uid", "title", "schemaVersion", "panels", "time", "templating")) {
                assertThat(file + " has " + field, d.hasNonNull(field), is(true));
            }
            assertThat(file + " panels", d.get("panels").size(), greaterThan(5));
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : d.get("panels")) {
                String name = file.getFileName() + " panel " + p.path("title").asText();
                assertThat(name + " has a unique id", ids.add(p.path("id").asInt(-1)), is(true));
                assertThat(name + " type", p.path("type").asText(), not(is("")));
                assertThat(name + " title", p.path("title").asText(), not(is("")));
                JsonNode grid = p.get("gridPos");
                assertThat(name + " gridPos", grid != null && grid.has("h") && grid.has("y"), is(true));
                assertThat(name + " fits the 24-column grid", grid.path("x").asInt() + grid.path("w").asInt(),
                        lessThanOrEqualTo(24));
                assertThat(name + " has queries", p.path("targets").size(), greaterThan(0));
                for (JsonNode t : p.get("targets")) {
                    assertThat(name + " refId", t.path("refId").asText(), not(is("")));
                    assertThat(name + " expr", t.path("expr").asText(), not(is("")));
                }
            }
        }
    }

    @Test
    void everyPanelQueryParsesAsPromQl(@TempDir Path dir) throws IOException {
        List<String> exprs = new ArrayList<>();
        for (Path file : DASHBOARDS) {
            exprs.addAll(panelQueries(JSON.readTree(file.toFile())));
        }
        assertThat(exprs, not(empty()));
        Path rules = recordingRules(dir.resolve("dashboards.rules.yml"), exprs);
        Promtool.Result r = Promtool.checkRules(rules);
        assertThat(r.output(), r.passed(), is(true));
        assertThat(r.output(), containsString("SUCCESS: " + exprs.size() + " rules found"));
    }

    @Test
    void aPanelQueryThatIsNotPromQlIsCaught(@TempDir Path dir) throws IOException {
        Path rules = recordingRules(dir.resolve("broken.rules.yml"),
                List.of("sum by (lot (edge_spots_occupied)"));
        Promtool.Result r = Promtool.checkRules(rules);
        assertThat(r.output(), r.passed(), is(false));
    }

    /** Every panel's PromQL with Grafana's variables replaced by values Prometheus accepts. */
    static List<String> panelQueries(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode p : dashboard.get("panels")) {
            for (JsonNode t : p.path("targets")) {
                exprs.add(t.path("expr").asText()
                        .replace("$__rate_interval", "5m")
                        .replace("$lot", "lot-1"));
            }
        }
        return exprs;
    }

    /** The queries as recording rules: promtool check rules parses each expression with Prometheus' parser. */
    private static Path recordingRules(Path file, List<String> exprs) throws IOException {
        StringBuilder y = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            y.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: ").append(JSON.writeValueAsString(exprs.get(i))).append('\n');
        }
        Files.writeString(file, y);
        return file;
    }
}
