package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.testing.Ports;
import org.openparking.testing.TcpProxy;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestHttp;

/**
 * Issue 19 end to end: permits, a pool, a pay-by-plate account and a reservation created through cloud-sync's API
 * (PostgreSQL), pushed over RabbitMQ as {@code command.update-lane-rules} to the real packaged edge (SQLite), which
 * then decides with its broker link cut: the permit holder in, the suspended one and the pool's third car out by
 * name, a walk-in held back for the reservation, a ticketless exit charged on a confident plate read and refused
 * on a doubtful one. Once the link is back, the cloud shows the level's pool count.
 */
class LaneRulesEdgeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void rulesMadeInTheCloudAreDecidedAtTheEdgeWithNoNetwork(@TempDir Path dir) throws Exception {
        EdgeProcess.requireBuilt();
        String lot = "lanes-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        try (CloudFixture cloud = CloudFixture.start(AfterCommitHook.NONE);
             TcpProxy link = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT)) {
            link.open();
            String proxied = "amqp://guest:guest@127.0.0.1:" + link.port() + "/" + cloud.broker.vhost();
            try (EdgeProcess edge = EdgeProcess.start(proxied, lot, "L0", 6, dir, Map.of())) {
                ApiClient api = new ApiClient(cloud.baseUrl(), cloud.adminToken());
                edge.until("the cloud knowing the edge", WAIT,
                        () -> api.get("/api/v1/edges?lot=" + lot).body().size() == 1);
                // Grace 0: a car owes its first started hour at once, so the ticketless exit has a fee to charge.
                ok(api.put("/api/v1/lots/" + lot + "/tariff", "{\"version\":2,\"currency\":\"EUR\",\"graceMinutes\":0,"
                        + "\"periodMinutes\":60,\"pricePerPeriod\":250,\"dailyCap\":2000,\"lostTicketFee\":3000}"));
                ok(api.post("/api/v1/lots/" + lot + "/pools", "{\"poolId\":\"acme\",\"max\":2}"));
                for (String p : new String[] {"AB-101", "AB-102", "AB-103"}) {
                    ok(api.post("/api/v1/lots/" + lot + "/permits", "{\"permitId\":\"p-" + p + "\",\"plate\":\"" + p
                            + "\",\"poolId\":\"acme\"}"));
                }
                ok(api.post("/api/v1/lots/" + lot + "/permits", "{\"permitId\":\"p-sus\",\"plate\":\"SUS-1\"}"));
                ok(api.post("/api/v1/lots/" + lot + "/permits/p-sus/suspend", "{\"suspended\":true,\"reason\":\"unpaid\"}"));
                ok(api.post("/api/v1/lots/" + lot + "/accounts", "{\"plate\":\"TL-808\",\"paymentMethod\":\"pm_card_visa\"}"));
                Instant now = Instant.now();
                TestHttp.Response last = api.post("/api/v1/lots/" + lot + "/reservations", "{\"reservationId\":\"r1\","
                        + "\"plate\":\"RES-1\",\"from\":\"" + now.minusSeconds(600) + "\",\"until\":\""
                        + now.plusSeconds(7200) + "\"}");
                ok(last);
                assertThat("the cloud issues the code, signed", last.body().at("/item/code").asText()
                        .startsWith("R1."), is(true));
                refused(api.post("/api/v1/lots/" + lot + "/reservations", "{\"plate\":\"X-1\",\"code\":\"MINE\","
                        + "\"from\":\"" + now + "\",\"until\":\"" + now.plusSeconds(60) + "\"}"), 400, "INVALID_REQUEST");
                long version = last.body().at("/pushed/rulesVersion").asLong();
                assertThat(last.text(), last.body().at("/pushed/edgeIds/0").asText(), is(lot + ".L0"));
                // The account's token is stored for the push, never shown back.
                assertThat(api.get("/api/v1/lots/" + lot + "/accounts").text().contains("pm_card_visa"), is(false));
                assertThat(api.post("/api/v1/lots/" + lot + "/permits/nobody/suspend", "{}").body().path("error")
                        .asText(), is("PERMIT_NOT_FOUND"));
                assertThat(api.post("/api/v1/lots/" + lot + "/accounts", "{\"plate\":\"X1\",\"paymentMethod\":"
                        + "\"4111111111111111\"}").status(), is(400));

                edge.until("the edge holding rules version " + version, WAIT,
                        () -> edge.get("/lane-rules").path("version").asLong() == version);
                edge.until("the edge on tariff 2", WAIT, () -> edge.get("/admin/tariff").path("version").asInt() == 2);

                link.shut();
                edge.until("the edge seeing the cloud down", WAIT,
                        () -> !edge.get("/sync").path("connected").asBoolean());

                edge.driveIn("in-1", "AB-101");
                edge.driveIn("in-1", "AB 102");
                refused(edge.post("/lanes/in-1/entries", "{\"plate\":\"AB-103\"}"), 409, "POOL_FULL");
                refused(edge.post("/lanes/in-1/entries", "{\"plate\":\"SUS-1\"}"), 403, "PERMIT_SUSPENDED");
                assertThat(edge.lane("in-1").at("/lastRefusal/reason").asText(), is("PERMIT_SUSPENDED"));
                edge.driveIn("in-1", "TL-808");
                edge.driveIn("in-1", "WALK-1");
                // 6 spaces, 4 taken, 1 held for RES-1: the next walk-in may not take the last free one.
                edge.driveIn("in-1", "WALK-2");
                refused(edge.post("/lanes/in-1/entries", "{\"plate\":\"WALK-3\"}"), 409, "HELD_FOR_RESERVATIONS");
                edge.driveIn("in-1", "RES-1");

                // Ticketless: a doubtful read falls back by name; a confident one (8 read as B) is charged.
                plateRead(edge, "WALK1", 0.79);
                refused(edge.post("/lanes/out-1/exits", "{\"ticketless\":true}"), 409, "LOW_CONFIDENCE");
                plateRead(edge, "TL-8O8", 0.95);
                TestHttp.Response paid = edge.post("/lanes/out-1/exits", "{\"ticketless\":true}");
                assertThat(paid.text(), paid.status(), is(200));
                assertThat(paid.body().at("/fee/amount").asLong(), is(250L));
                assertThat("offline, under the floor limit: let through, charge kept in the outbox",
                        paid.body().at("/payment/status").asText(), is("DEFERRED"));
                String session = paid.body().path("sessionId").asText();

                // A reservation booked while the level is cut off: its snapshot cannot arrive, its signed code is
                // admitted on the key the level already holds; the same code again is refused by name.
                TestHttp.Response booked = api.post("/api/v1/lots/" + lot + "/reservations", "{\"reservationId\":"
                        + "\"r-qr\",\"from\":\"" + now.minusSeconds(60) + "\",\"until\":\"" + now.plusSeconds(7200)
                        + "\",\"levelId\":\"L0\",\"prepaid\":true}");
                ok(booked);
                String qr = booked.body().at("/item/code").asText();
                assertThat("the level still holds the snapshot from before the cut",
                        edge.get("/lane-rules").path("version").asLong(), is(version));
                String reserved = edge.driveInWith("in-1", "{\"reservationCode\":\"" + qr + "\"}")
                        .path("sessionId").asText();
                refused(edge.post("/lanes/in-1/entries", "{\"reservationCode\":\"" + qr + "\"}"), 403,
                        "RESERVATION_INVALID");
                String forged = qr.substring(0, qr.length() - 4) + (qr.endsWith("AAAA") ? "BBBB" : "AAAA");
                refused(edge.post("/lanes/in-1/entries", "{\"reservationCode\":\"" + forged + "\"}"), 403,
                        "RESERVATION_INVALID");

                link.open();
                edge.until("the cloud showing the ticketless session closed", WAIT, () -> {
                    TestHttp.Response s = api.get("/api/v1/sessions/" + session);
                    return s.status() == 200 && "CLOSED".equals(s.body().at("/session/status").asText());
                });
                edge.until("the cloud showing the pool's count of level L0", WAIT, () -> {
                    JsonNode pools = api.get("/api/v1/lots/" + lot + "/pools").body();
                    return pools.size() == 1 && pools.get(0).at("/inside/L0").asInt(-1) == 2;
                });
                edge.until("the cloud's APDS Session referencing the reservation it entered with", WAIT, () -> {
                    TestHttp.Response s = api.get("/api/v1/apds/sessions/" + reserved);
                    return s.status() == 200 && (lot + ":reservation:r-qr").equals(
                            s.body().at("/segments/0/assignedRight/id").asText());
                });
                JsonNode pool = api.get("/api/v1/lots/" + lot + "/pools").body().get(0);
                assertThat(pool.path("total").asInt(), is(2));
                assertThat("two inside, max two: no over-admission", pool.path("drift").asInt(), is(0));
                JsonNode audit = api.get("/api/v1/audit?lot=" + lot + "&action=permit.suspend").body();
                assertThat(audit.toString(), audit.size(), is(1));
            }
        }
    }

    private static void ok(TestHttp.Response r) {
        if (r.status() != 200 && r.status() != 201) {
            throw new AssertionError(r.status() + " " + r.text());
        }
    }

    private static void refused(TestHttp.Response r, int status, String reason) {
        assertThat(r.text(), r.status(), is(status));
        assertThat(r.text(), r.body().path("error").asText(), is(reason));
    }

    /** The exit camera's Plate Recognizer webhook. */
    private static void plateRead(EdgeProcess edge, String plate, double score) {
        TestHttp.Response r = edge.post("/lanes/out-1/plate-reads", "{\"hook\":{\"id\":\"cam-out\",\"event\":"
                + "\"recognition\"},\"data\":{\"camera_id\":\"cam-out\",\"timestamp\":\"" + Instant.now() + "\","
                + "\"results\":[{\"plate\":\"" + plate + "\",\"score\":" + score + ",\"vehicle\":{\"type\":\"Sedan\","
                + "\"score\":0.9}}]}}");
        assertThat(r.text(), r.status(), is(202));
    }
}
