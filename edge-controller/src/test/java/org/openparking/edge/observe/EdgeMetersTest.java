package org.openparking.edge.observe;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Promtool;
import org.openparking.testing.Scrape;
import org.openparking.testing.TestHttp.Response;

/**
 * The level's own meters on an edge with no cloud configured, from its real {@code /observe/metrics}: the
 * operator's series are there from the start (outbox and sync state included), each lane decision moves the
 * right one, and the scrape passes {@code promtool check metrics} before and after.
 */
class EdgeMetersTest {
    private final TestEdge edge = TestEdge.start(Map.of(VehicleType.STANDARD, 1));
    private final String level = edge.settings().levelId();
    private final String lot = edge.settings().lotId();

    @AfterEach
    void stop() {
        edge.close();
    }

    @Test
    void anOfflineLevelServesItsOperatorSeriesFromTheStartAndTheyPassPromtool() {
        Scrape s = scrape();
        assertThat(s.series("edge_outbox_pending_rows", "lot", lot, "level", level), hasSize(1));
        assertThat(s.series("edge_outbox_oldest_pending_age_seconds", "lot", lot, "level", level), hasSize(1));
        assertThat("exactly one sync state", s.sum("edge_sync_state", "lot", lot, "level", level).orElseThrow(),
                is(1.0));
        assertThat(s.sum("edge_spots_capacity", "lot", lot, "vehicle_type", "STANDARD").orElseThrow(), is(1.0));
        assertThat(s.sum("edge_spots_occupied", "lot", lot, "vehicle_type", "STANDARD").orElseThrow(), is(0.0));
        assertThat(s.sum("edge_lane_barrier_state", "lot", lot, "lane", "in-1", "state", "CLOSED").orElseThrow(),
                is(1.0));
        assertThat(s.sum("edge_barrier_faults_total", "lot", lot, "lane", "in-1").orElseThrow(), is(0.0));
        assertThat(s.sum("edge_sse_clients", "lot", lot).orElseThrow(), is(0.0));
        assertThat(s.series("occupancy_drift_total", "lot", lot), hasSize(1));
        assertThat(s.series("jvm_memory_used_bytes").isEmpty(), is(false));
        assertPromtoolPasses();
    }

    @Test
    void entriesRefusalsDeferredFeesAndBarrierFaultsAreCountedAsTheLaneDecided() {
        String ticket = edge.enterAndPass("M1").get("ticket").asText();
        Response full = edge.post("/lanes/in-1/entries", "{}");
        assertThat(full.error(), is("LEVEL_FULL"));
        Response wrongWay = edge.post("/lanes/out-1/entries", "{}");
        assertThat(wrongWay.error(), is("WRONG_DIRECTION"));

        edge.clock().advance(Duration.ofHours(3)); // 900 cents due, under the 1500 floor
        Response noCard = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(noCard.error(), is("PAYMENT_REQUIRED"));
        Response exit = edge.post("/lanes/out-1/exits",
                "{\"ticket\":\"" + ticket + "\",\"paymentMethod\":\"pm_card_visa\"}");
        assertThat(exit.toString(), exit.body().at("/payment/status").asText(), is("DEFERRED"));
        long fee = exit.body().at("/fee/amount").asLong();
        assertThat(fee, greaterThan(0L));

        Scrape s = scrape();
        assertThat(s.sum("edge_entries_total", "lot", lot, "lane", "in-1", "vehicle_type", "STANDARD")
                .orElseThrow(), is(1.0));
        assertThat(s.sum("edge_refusals_total", "lot", lot, "direction", "ENTRY", "reason", "LEVEL_FULL")
                .orElseThrow(), is(1.0));
        assertThat(s.sum("edge_refusals_total", "lot", lot, "lane", "out-1", "reason", "WRONG_DIRECTION")
                .orElseThrow(), is(1.0));
        assertThat(s.sum("edge_refusals_total", "lot", lot, "direction", "EXIT", "reason", "PAYMENT_REQUIRED")
                .orElseThrow(), is(1.0));
        assertThat(s.sum("edge_exits_total", "lot", lot, "payment", "DEFERRED").orElseThrow(), is(1.0));
        assertThat(s.sum("edge_fees_deferred_minor_total", "lot", lot, "currency", "EUR").orElseThrow(),
                is((double) fee));
        assertThat("nothing was charged", s.series("edge_fees_charged_minor_total", "lot", lot), hasSize(0));
        assertThat(s.sum("edge_gate_decision_seconds_count", "lot", lot, "direction", "ENTRY", "outcome",
                "admitted").orElseThrow(), is(1.0));
        assertThat(s.sum("edge_gate_decision_seconds_count", "lot", lot, "direction", "ENTRY", "outcome",
                "refused").orElseThrow(), is(1.0));
        // direction is the lane's: the entry asked of out-1 is one of its three decisions
        assertThat(s.sum("edge_gate_decision_seconds_count", "lot", lot, "direction", "EXIT", "outcome",
                "refused").orElseThrow(), is(2.0));
        assertThat(s.sum("edge_gate_decision_seconds_count", "lot", lot, "direction", "EXIT", "outcome",
                "released").orElseThrow(), is(1.0));
        assertThat("the session and its payment wait in the outbox",
                s.sum("edge_outbox_pending_rows", "lot", lot).orElseThrow(), greaterThan(0.0));

        edge.sim().injectBarrierFault("in-1", "arm stuck");
        await().atMost(Duration.ofSeconds(10)).until(() -> scrape().sum("edge_lane_barrier_state", "lot", lot,
                "lane", "in-1", "state", "FAULT").orElseThrow() == 1.0);
        Scrape faulted = scrape();
        assertThat(faulted.sum("edge_barrier_faults_total", "lot", lot, "lane", "in-1").orElseThrow(), is(1.0));
        assertThat(faulted.sum("edge_barrier_faults_total", "lot", lot, "lane", "out-1").orElseThrow(), is(0.0));
        assertThat(faulted.sum("edge_lane_barrier_state", "lot", lot, "lane", "in-1").orElseThrow(), is(1.0));
        assertPromtoolPasses();
    }

    private Scrape scrape() {
        return Scrape.parse(edge.getRoot("/observe/metrics").text());
    }

    private void assertPromtoolPasses() {
        Promtool.Result r = Promtool.checkMetrics(edge.getRoot("/observe/metrics").text());
        assertThat(r.output(), r.passed(), is(true));
    }
}
