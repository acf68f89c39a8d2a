package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.PaymentResult;
import org.openparking.testing.Promtool;
import org.openparking.testing.Scrape;
import org.openparking.testing.TestHttp;

/**
 * cloud-sync's meters after real ingest (broker, PostgreSQL): the fleet gauges show the edge, its level and
 * the unable-to-collect ledger as PostgreSQL has them, the ingest counters count what was applied, and the
 * scrape passes {@code promtool check metrics}.
 */
class CloudMetersTest {
    private CloudFixture cloud;
    private final TestHttp http = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(10));

    @BeforeEach
    void start() throws Exception {
        cloud = CloudFixture.start();
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        cloud.close();
    }

    private Scrape scrape() {
        TestHttp.Response r = http.get(cloud.baseUrl() + "/observe/metrics");
        assertThat(r.status(), is(200));
        Promtool.Result lint = Promtool.checkMetrics(r.text());
        assertThat(lint.output(), lint.passed(), is(true));
        return Scrape.parse(r.text());
    }

    @Test
    void theFleetGaugesShowWhatIngestCommitted() throws Exception {
        Events m = new Events("lot-meters", "L3");
        Events quiet = new Events("lot-quiet", "L0");
        cloud.publishFromEdge(m.next(Events.opened("m-1", "M-1")));
        cloud.publishFromEdge(m.next(Events.availability(7, 1)));
        cloud.publishFromEdge(m.next(Events.paymentRequested("pay-m-1", "m-1", 900, true, "M-1")));
        cloud.publishFromEdge(quiet.next(Events.availability(0, 1)));
        cloud.awaitHandled(4);
        cloud.publishFromWorker(m.fromWorker(Events.paymentResult("pay-m-1", "m-1", 900,
                PaymentResult.Outcome.DECLINED, true)));
        cloud.awaitHandled(5);
        cloud.app.meters().refresh();

        Scrape s = scrape();
        assertThat(s.sum("cloud_sync_events_applied_total").orElseThrow(), greaterThanOrEqualTo(5.0));
        assertThat(s.sum("cloud_sync_level_capacity_spots", "lot", "lot-meters", "level", "L3").orElseThrow(),
                is(100.0));
        assertThat(s.sum("cloud_sync_level_occupied_spots", "lot", "lot-meters", "level", "L3").orElseThrow(),
                is(7.0));
        assertThat("heard from just now", s.sum("cloud_sync_edge_last_seen_timestamp_seconds", "edge",
                m.edgeId()).orElseThrow(), closeTo(System.currentTimeMillis() / 1000.0, 60));
        assertThat(s.series("cloud_sync_edge_ingest_lag_seconds", "edge", m.edgeId()).size(), is(1));
        assertThat("the declined deferred payment is in the ledger", s.sum(
                "cloud_sync_unable_to_collect_payments", "lot", "lot-meters").orElseThrow(), is(1.0));
        assertThat(s.sum("cloud_sync_unable_to_collect_minor", "lot", "lot-meters", "currency", "EUR")
                .orElseThrow(), is(900.0));
        assertThat("a lot with nothing uncollected shows 0", s.sum("cloud_sync_unable_to_collect_payments",
                "lot", "lot-quiet").orElseThrow(), is(0.0));
        assertThat(s.sum("cloud_sync_dead_letter_messages").orElseThrow(), is(0.0));
        assertThat(s.sum("cloud_sync_sse_clients").orElseThrow(), is(0.0));
        assertThat(s.sum("cloud_sync_fleet_refresh_failures_total").orElseThrow(), is(0.0));
    }
}
