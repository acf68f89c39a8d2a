package org.openparking.edge.occupancy;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * A counting level with ramp loops, over real HTTP on a real SQLite file: cars driven over the simulated
 * loops move the count beside the sessions at the gates, never past [0, capacity], and every refused
 * movement is drift a technician can see and correct with a recount.
 */
class RampCountingTest {
    private static final List<EdgeSettings.Ramp> RAMPS = List.of(
            new EdgeSettings.Ramp("up", VehicleType.STANDARD), new EdgeSettings.Ramp("down", VehicleType.STANDARD));

    private TestEdge edge;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    private TestEdge start(int capacity) {
        edge = TestEdge.startWithRamps(Map.of(VehicleType.STANDARD, capacity), RAMPS);
        return edge;
    }

    private void drive(String ramp, String direction) {
        TestHttp.Response r = edge.post("/simulator/ramps/" + ramp + "/passages", "{\"direction\":\"" + direction + "\"}");
        assertThat(r.toString(), r.status(), is(202));
    }

    private JsonNode ramp(String id) {
        for (JsonNode r : edge.get("/ramps").body()) {
            if (r.get("rampId").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no ramp " + id);
    }

    /** Waits until the ramp has seen {@code passages} passages of any kind (counted, absorbed, turned back). */
    private void awaitPassages(String id, long passages) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode r = ramp(id);
            return r.get("in").asLong() + r.get("out").asLong() + r.get("turnedBack").asLong()
                    + r.get("absorbed").asLong() == passages;
        });
    }

    @Test
    void carsCountedOverTheRampsMoveTheLevelsCountAndACarThatTurnsBackDoesNot() {
        start(3);
        long version = edge.get("/availability").body().get("version").asLong();
        drive("up", "IN");
        drive("up", "IN");
        awaitPassages("up", 2);
        assertThat(edge.free(), is(1L));
        drive("down", "OUT");
        drive("down", "TURNED_BACK");
        awaitPassages("down", 2);
        assertThat(edge.free(), is(2L));

        JsonNode up = ramp("up");
        assertThat(up.get("in").asLong(), is(2L));
        assertThat(up.get("type").asText(), is("STANDARD"));
        assertThat(up.get("occupied").asBoolean(), is(false));
        JsonNode down = ramp("down");
        assertThat(down.get("out").asLong(), is(1L));
        assertThat(down.get("turnedBack").asLong(), is(1L));
        JsonNode a = edge.get("/availability").body();
        assertThat("three changes, the car that turned back is none", a.get("version").asLong(), is(version + 3));
        assertThat(a.get("drift").asLong(), is(0L));
    }

    @Test
    void loopsSetOneByOneAreReadLikeACar() {
        start(3);
        for (String[] step : new String[][] {{"outer", "true"}, {"inner", "true"}, {"outer", "false"},
                {"inner", "false"}}) {
            TestHttp.Response r = edge.post("/simulator/ramps/up/loops/" + step[0], "{\"present\":" + step[1] + "}");
            assertThat(r.toString(), r.status(), is(202));
            String loop = step[0];
            boolean present = Boolean.parseBoolean(step[1]);
            // zero debounce: the loop reads what was set before the next step
            if (present) {
                await().until(() -> ramp("up").get("occupied").asBoolean());
            } else if (loop.equals("inner")) {
                await().until(() -> !ramp("up").get("occupied").asBoolean());
            }
        }
        awaitPassages("up", 1);
        assertThat(ramp("up").get("in").asLong(), is(1L));
        assertThat(edge.free(), is(2L));
    }

    @Test
    void aRampNeverCountsPastCapacityOrBelowZeroAndEachRefusalIsDrift() {
        start(2);
        for (int i = 0; i < 3; i++) {
            drive("up", "IN");
        }
        awaitPassages("up", 3);
        assertThat(edge.free(), is(0L));
        assertThat(ramp("up").get("absorbed").asLong(), is(1L));
        JsonNode drift = edge.get("/drift").body();
        assertThat(drift.size(), is(1));
        assertThat(drift.get(0).get("reason").asText(), is("CLAMPED_HIGH"));
        assertThat(drift.get(0).get("expected").asInt(), is(2));
        assertThat(drift.get(0).get("observed").asInt(), is(3));

        for (int i = 0; i < 3; i++) {
            drive("down", "OUT");
        }
        awaitPassages("down", 3);
        assertThat(edge.free(), is(2L));
        assertThat(ramp("down").get("absorbed").asLong(), is(1L));
        assertThat(edge.get("/drift").body().get(0).get("reason").asText(), is("CLAMPED_LOW"));
        assertThat(edge.get("/availability").body().get("drift").asLong(), is(2L));

        // the count recovers at once: the next car in is counted
        drive("up", "IN");
        awaitPassages("up", 4);
        assertThat(edge.free(), is(1L));
    }

    @Test
    void gateSessionsAndRampsAddUpAndSurviveARestart() {
        start(4);
        edge.enterAndPass("AB-123");
        assertThat(edge.free(), is(3L));
        drive("up", "OUT"); // that car drove on to the next level
        awaitPassages("up", 1);
        assertThat(edge.free(), is(4L));
        drive("down", "IN");
        drive("down", "IN");
        awaitPassages("down", 2);
        assertThat(edge.free(), is(2L));

        edge.restart();
        assertThat(edge.free(), is(2L));
        assertThat(ramp("down").get("in").asLong(), is(2L));
        assertThat(ramp("up").get("out").asLong(), is(1L));
        drive("down", "OUT");
        awaitPassages("down", 3);
        assertThat(edge.free(), is(3L));
    }

    @Test
    void aTicketFromAnotherLevelLeavingHereTakesOutTheCarTheRampBroughtIn() {
        start(3);
        drive("down", "IN");
        awaitPassages("down", 1);
        assertThat(edge.free(), is(2L));
        // issued by the level above (same lot, same key), within the grace period: free to leave
        String ticket = new TicketSigner(edge.settings().lotId(), edge.settings().ticketSecret())
                .sign("L1-session-1", edge.clock().instant());
        TestHttp.Response exit = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(exit.toString(), exit.status(), is(200));
        edge.pass("out-1");
        assertThat(edge.free(), is(3L));
        assertThat(edge.get("/availability").body().get("drift").asLong(), is(0L));
    }

    @Test
    void aTechnicianRecountsACountingLevelAndTheDifferenceIsDrift() {
        start(5);
        drive("up", "IN");
        awaitPassages("up", 1);
        assertThat(edge.free(), is(4L));

        TestHttp.Response r = edge.post("/admin/occupancy/recount",
                "{\"type\":\"STANDARD\",\"occupied\":3,\"reason\":\"night walk-through\"}");
        assertThat(r.toString(), r.status(), is(200));
        assertThat(r.body().get("before").asInt(), is(1));
        assertThat(r.body().get("after").asInt(), is(3));
        assertThat(r.body().get("availability").get("free").asInt(), is(2));
        assertThat(edge.free(), is(2L));
        JsonNode drift = edge.get("/drift?limit=1").body();
        assertThat(drift.get(0).get("reason").asText(), is("MANUAL_RECOUNT"));
        assertThat(drift.get(0).get("expected").asInt(), is(1));
        assertThat(drift.get(0).get("observed").asInt(), is(3));

        // counting goes on from the recounted number
        edge.enterAndPass(null);
        drive("up", "OUT");
        awaitPassages("up", 2);
        assertThat(edge.free(), is(2L));
        edge.restart();
        assertThat(edge.free(), is(2L));
    }

    @Test
    void badRecountsAndSimulatorInputAreRefusedWithTheirCode() {
        start(2);
        assertThat(edge.post("/admin/occupancy/recount", "{\"type\":\"STANDARD\",\"occupied\":1}").error(),
                is("REASON_REQUIRED"));
        TestHttp.Response tooMany = edge.post("/admin/occupancy/recount",
                "{\"type\":\"STANDARD\",\"occupied\":3,\"reason\":\"x\"}");
        assertThat(tooMany.status(), is(400));
        assertThat(tooMany.error(), is("INVALID_FIELD"));
        assertThat(tooMany.body().get("message").asText(), containsString("[0, 2]"));
        assertThat(edge.post("/admin/occupancy/recount", "{\"type\":\"EV\",\"occupied\":0,\"reason\":\"x\"}").error(),
                is("INVALID_FIELD"));
        assertThat(edge.post("/admin/occupancy/recount", "{\"type\":\"STANDARD\",\"occupied\":\"1\",\"reason\":\"x\"}")
                .error(), is("INVALID_FIELD"));
        assertThat(edge.post("/admin/occupancy/recount", "{\"occupied\":1,\"reason\":\"x\"}").error(),
                is("MISSING_FIELD"));

        TestHttp.Response unknown = edge.post("/simulator/ramps/nope/passages", "{\"direction\":\"IN\"}");
        assertThat(unknown.status(), is(404));
        assertThat(unknown.error(), is("UNKNOWN_RAMP"));
        assertThat(edge.post("/simulator/ramps/up/passages", "{\"direction\":\"SIDEWAYS\"}").error(),
                is("INVALID_FIELD"));
        assertThat(edge.post("/simulator/ramps/up/passages", "{}").error(), is("MISSING_FIELD"));
        assertThat(edge.post("/simulator/ramps/up/loops/middle", "{\"present\":true}").error(), is("UNKNOWN_LOOP"));
        assertThat(edge.post("/simulator/ramps/up/loops/outer", "{\"present\":\"yes\"}").error(),
                is("INVALID_FIELD"));
        assertThat(edge.get("/drift?limit=0").error(), is("INVALID_QUERY"));
        assertThat("nothing moved", edge.free(), is(2L));
        assertThat(edge.get("/drift").body().size(), is(0));
    }

    @Test
    void aSensorLevelRefusesARecountAndRampCounters() throws Exception {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2), EdgeSettings.OccupancyMode.SENSORS);
        TestHttp.Response r = edge.post("/admin/occupancy/recount",
                "{\"type\":\"STANDARD\",\"occupied\":1,\"reason\":\"x\"}");
        assertThat(r.status(), is(409));
        assertThat(r.error(), is("NOT_A_COUNTING_LEVEL"));
        assertThat(edge.get("/ramps").body().size(), is(0));

        Path dir = Files.createTempDirectory("ramps-on-sensors");
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> TestEdge.settings(dir, "lot-t",
                        Map.of(VehicleType.STANDARD, 2), EdgeSettings.OccupancyMode.SENSORS, Duration.ZERO,
                        new EdgeSettings.Mqtt("", "t", "", "", Duration.ofSeconds(10)), RAMPS));
        assertThat(refused.getMessage(), containsString("occupancy.mode counting"));
        IllegalArgumentException noSuchType = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> TestEdge.settings(dir, "lot-t",
                        Map.of(VehicleType.STANDARD, 2), EdgeSettings.OccupancyMode.COUNTING, Duration.ZERO,
                        new EdgeSettings.Mqtt("", "t", "", "", Duration.ofSeconds(10)),
                        List.of(new EdgeSettings.Ramp("ev", VehicleType.EV))));
        assertThat(noSuchType.getMessage(), containsString("no EV spots"));
        Files.delete(dir);
    }
}
