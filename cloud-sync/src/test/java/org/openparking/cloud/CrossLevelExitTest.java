package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.cloud.ingest.EventApplier;
import org.openparking.testing.TestHttp;

/**
 * End to end, with two real edge controllers (the packaged jar, as child processes) and cloud-sync in-process on
 * one RabbitMQ vhost and one PostgreSQL database: a car enters on L1, leaves through L0's exit with L1's ticket,
 * and L1 learns of it through the cloud: its session closes, its space is free again and the plate may enter
 * again (anti-passback no longer refuses it).
 */
class CrossLevelExitTest extends SharedCloudTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void edgeBuilt() {
        EdgeProcess.requireBuilt();
    }

    @Test
    void aCarLeavingThroughAnotherLevelsExitIsClosedOnItsEntryLevel(@TempDir Path dir) throws Exception {
        try (EdgeProcess l1 = EdgeProcess.start(cloud.broker.uri(), "multi", "L1", 10, dir);
             EdgeProcess l0 = EdgeProcess.start(cloud.broker.uri(), "multi", "L0", 10, dir)) {
            JsonNode entry = l1.driveIn("in-1", "XL123");
            String sessionId = entry.path("sessionId").asText();
            assertThat(l1.get("/availability").path("free").asInt(), is(9));
            TestHttp.Response inside = l1.post("/lanes/in-1/entries", "{\"plate\":\"XL123\"}");
            assertThat("anti-passback while the car is inside: " + inside.text(), inside.status(), is(409));

            // Down the ramp and out through L0's exit with L1's ticket (within the grace period: nothing to pay).
            TestHttp.Response exit = l0.post("/lanes/out-1/exits",
                    "{\"ticket\":\"" + entry.path("ticket").asText() + "\"}");
            assertThat(exit.text(), exit.status(), is(200));
            assertThat(exit.body().path("sessionId").asText(), is(sessionId));

            l1.until("L1's session closed by the cloud's command", WAIT,
                    () -> "CLOSED".equals(l1.get("/sessions/" + sessionId).path("status").asText()));
            JsonNode closed = l1.get("/sessions/" + sessionId);
            assertThat(closed.path("exitLane").asText(), is("(level L0)"));
            assertThat(l1.get("/availability").path("free").asInt(), is(10));
            assertThat("L0 recorded it once and was not told anything",
                    l0.get("/sessions/" + sessionId).path("status").asText(), is("CLOSED"));

            l1.until("the receipt of L1 in the cloud", WAIT, () -> {
                JsonNode edges = api.get("/api/v1/edges?lot=multi").body();
                for (JsonNode e : edges) {
                    if (e.path("edgeId").asText().equals("multi.L1")) {
                        return e.path("unappliedCommands").asLong() == 0;
                    }
                }
                return false;
            });
            JsonNode session = api.get("/api/v1/sessions/" + sessionId).body().path("session");
            assertThat(session.path("status").asText(), is("CLOSED"));
            assertThat(session.path("levelId").asText(), is("L1"));
            assertThat(session.path("exitLevelId").asText(), is("L0"));
            Long commands = org.openparking.platform.jdbc.Jdbc.read(cloud.app.dataSource(), c ->
                    org.openparking.platform.jdbc.Jdbc.query(c,
                            "SELECT count(*) FROM commands WHERE command_id = ? AND edge_id = 'multi.L1' AND applied",
                            rs -> rs.getLong(1), EventApplier.closeSessionCommandId(sessionId)).getFirst());
            assertThat(commands, is(1L));

            // Another day: the same plate comes back to L1.
            TestHttp.Response again = l1.post("/lanes/in-1/entries", "{\"plate\":\"XL123\"}");
            assertThat(again.text(), again.status(), is(201));
        }
    }
}
