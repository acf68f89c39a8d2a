package org.openparking.edge.realtime;

import org.openparking.edge.TestEdge;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.firmware.SignContent;
import org.openparking.protocol.VehicleType;

/** The occupancy rules end to end, through the simulator API and the admin API of a real edge. */
class OccupancyRulesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aSensorFlappingFasterThanTheDebounceDoesNotMoveTheCount() {
        try (TestEdge edge = LiveEdge.start(LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3))
                .debounce(Duration.ofSeconds(1)))) {
            long version = edge.get("/availability").body().get("version").asLong();
            for (int i = 0; i < 10; i++) {
                edge.spot("STANDARD-001", i % 2 == 0); // ends unoccupied, as it started
            }
            // A real change after the flapping: once it shows, the flapping's debounce window is long over.
            edge.spot("STANDARD-002", true);
            await().atMost(WAIT).until(() -> edge.free() == 2);
            JsonNode a = edge.get("/availability").body();
            assertThat(a.get("version").asLong(), is(version + 1));
            assertThat(a.get("drift").asLong(), is(1L)); // STANDARD-002 has no session: that is drift
            JsonNode spot1 = edge.get("/spots").body().get(0);
            assertThat(spot1.get("spotId").asText(), is("STANDARD-001"));
            assertThat(spot1.get("occupied").asBoolean(), is(false));
        }
    }

    @Test
    void closedIsDistinctFromFullOnTheApiAndTheSign() {
        try (TestEdge edge = LiveEdge.start(LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 2)))) {
            assertThat(edge.app().hardware().sign().showing(), is(new SignContent.Free(2)));
            edge.spot("STANDARD-001", true);
            edge.spot("STANDARD-002", true);
            await().atMost(WAIT).until(() -> edge.free() == 0);
            assertThat(edge.get("/availability").body().get("status").asText(), is("FULL"));
            await().atMost(WAIT).until(() -> edge.app().hardware().sign().showing().equals(new SignContent.Full()));

            assertThat(edge.post("/admin/level/status", "{\"closed\":true,\"reason\":\"cleaning\"}").status(), is(200));
            JsonNode closed = edge.get("/availability").body();
            assertThat(closed.get("status").asText(), is("CLOSED"));
            assertThat(closed.get("free").asInt(), is(0));
            assertThat(edge.app().hardware().sign().showing(), is(new SignContent.Closed()));

            edge.spot("STANDARD-001", false);
            await().atMost(WAIT).until(() -> edge.free() == 1);
            assertThat(edge.get("/availability").body().get("status").asText(), is("CLOSED"));
            assertThat(edge.app().hardware().sign().showing(), is(new SignContent.Closed()));

            edge.post("/admin/level/status", "{\"closed\":false}");
            assertThat(edge.get("/availability").body().get("status").asText(), is("OPEN"));
            assertThat(edge.app().hardware().sign().showing(), is(new SignContent.Free(1)));
        }
    }

    @Test
    void driftIsRecordedOnceInTheTableTheOutboxTheApiAndTheMetrics() {
        try (TestEdge edge = LiveEdge.start(LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3)))) {
            edge.spot("STANDARD-001", true); // parked with no session: sensors above sessions
            await().atMost(WAIT).until(() -> edge.free() == 2);
            edge.spot("STANDARD-002", true); // the same disagreement continues: not recorded again
            await().atMost(WAIT).until(() -> edge.free() == 1);
            assertThat(edge.get("/availability").body().get("drift").asLong(), is(1L));

            assertThat(count(edge, "SELECT COUNT(*) FROM drift WHERE reason = 'SENSOR_SESSION_MISMATCH'"
                    + " AND vehicle_type = 'STANDARD' AND expected = 0 AND observed = 1"), is(1L));
            assertThat(count(edge, "SELECT COUNT(*) FROM outbox WHERE type = 'drift.recorded'"), is(1L));

            String lot = edge.settings().lotId();
            assertThat(driftMetric(edge, lot), is(1.0));
            edge.spot("STANDARD-003", false); // no change: nothing recorded, the metric stays
            edge.spot("STANDARD-001", false);
            await().atMost(WAIT).until(() -> edge.free() == 2);
            assertThat(driftMetric(edge, lot), is(1.0));
        }
    }

    /** The committed drift count as Prometheus text shows it for this lot. */
    private static double driftMetric(TestEdge edge, String lot) {
        String metrics = edge.getRoot("/observe/metrics").text();
        return metrics.lines()
                .filter(l -> l.startsWith("occupancy_drift_total{") && l.contains("lot=\"" + lot + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no occupancy_drift_total for " + lot + " in\n" + metrics));
    }

    private static long count(TestEdge edge, String sql) {
        return edge.app().database().read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
