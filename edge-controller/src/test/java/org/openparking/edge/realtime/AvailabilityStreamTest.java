package org.openparking.edge.realtime;

import org.openparking.edge.TestEdge;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Json;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/** Server-sent events, ETag polling and the simulator's input checks, over real HTTP on a real edge. */
class AvailabilityStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestEdge edge;

    @BeforeEach
    void start() {
        edge = LiveEdge.start(LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3, VehicleType.EV, 1))
                .heartbeat(Duration.ofMillis(300)));
    }

    @AfterEach
    void stop() {
        edge.close();
    }

    @Test
    void streamSendsTheSnapshotAtOnceThenOneEventPerChange() throws Exception {
        try (SseClient sse = new SseClient(edge.base() + "/availability/stream")) {
            assertThat(sse.response().headers().firstValue("Content-Type").orElse(""),
                    containsString("text/event-stream"));
            JsonNode first = Json.mapper().readTree(sse.next("availability", WAIT).data());
            assertThat(first.get("free").asInt(), is(4));

            edge.spot("STANDARD-001", true);
            JsonNode changed = Json.mapper().readTree(sse.next("availability", WAIT).data());
            assertThat(changed.get("free").asInt(), is(3));
            assertThat(changed.get("byType").get("STANDARD").get("free").asInt(), is(2));
            assertThat(changed.get("version").asLong(), greaterThan(first.get("version").asLong()));

            JsonNode heartbeat = Json.mapper().readTree(sse.next("heartbeat", WAIT).data());
            assertThat(heartbeat.get("version").asLong(), is(changed.get("version").asLong()));
        }
    }

    @Test
    void laneChangesAreStreamedToo() throws Exception {
        try (SseClient sse = new SseClient(edge.base() + "/availability/stream")) {
            sse.next("availability", WAIT);
            edge.post("/simulator/lanes/in-1/arming", "{\"present\":true}");
            JsonNode lane = Json.mapper().readTree(sse.next("lane", WAIT).data());
            assertThat(lane.get("laneId").asText(), is("in-1"));
            assertThat(lane.get("phase").asText(), is("VEHICLE_WAITING"));
        }
    }

    @Test
    void aClientThatGoesAwayIsUnsubscribed() throws Exception {
        LiveFeed feed = edge.app().realtime().feed();
        int before = feed.subscriberCount();
        SseClient sse = new SseClient(edge.base() + "/availability/stream");
        sse.next("availability", WAIT);
        assertThat(feed.subscriberCount(), is(before + 1));
        sse.close();
        // The next heartbeat write to the closed socket fails and the stream ends.
        await().atMost(WAIT).until(() -> feed.subscriberCount() == before);
    }

    @Test
    void etagMakesPollingCheap() {
        TestHttp.Response first = edge.get("/availability");
        String etag = first.header("ETag");
        assertThat(first.status(), is(200));

        TestHttp.Response unchanged = edge.get("/availability", "If-None-Match", etag);
        assertThat(unchanged.status(), is(304));
        assertThat(unchanged.text(), is(""));

        edge.spot("EV-001", true);
        await().atMost(WAIT).until(() -> edge.get("/availability", "If-None-Match", etag).status() == 200);
        TestHttp.Response changed = edge.get("/availability", "If-None-Match", etag);
        assertThat(changed.body().get("free").asInt(), is(3));
        assertThat(changed.header("ETag").equals(etag), is(false));
    }

    @Test
    void malformedSimulatorInputGetsA4xxJsonError() {
        TestHttp.Response notJson = edge.post("/simulator/spots/STANDARD-001", "{occupied: yes");
        assertThat(notJson.status(), is(400));
        assertThat(notJson.body().get("error").asText(), is("MALFORMED_JSON"));

        TestHttp.Response wrongType = edge.post("/simulator/spots/STANDARD-001", "{\"occupied\":\"yes\"}");
        assertThat(wrongType.status(), is(400));
        assertThat(wrongType.body().get("error").asText(), is("INVALID_FIELD"));

        TestHttp.Response unknown = edge.post("/simulator/spots/NOPE", "{\"occupied\":true}");
        assertThat(unknown.status(), is(404));
        assertThat(unknown.body().get("error").asText(), is("UNKNOWN_SPOT"));

        assertThat(edge.free(), is(4L));
    }

    @Test
    void consoleIsServedAndRootRedirectsToIt() {
        TestHttp.Response page = edge.getRoot("/console/");
        assertThat(page.status(), is(200));
        assertThat(page.text(), containsString("console.js"));
        assertThat(edge.getRoot("/console/console.js").status(), is(200));

        TestHttp.Response root = edge.getRoot("/");
        assertThat(root.status(), is(303));
        assertThat(root.header("Location"), equalTo("/console/"));
    }
}
