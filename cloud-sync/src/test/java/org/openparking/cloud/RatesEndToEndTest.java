package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestHttp;

/**
 * Issue 19's rate side end to end: the packaged edge controller (SQLite) as a child process, cloud-sync in-process,
 * one RabbitMQ vhost and one PostgreSQL database. A tariff with an early bird and a daily cap, a merchant validator
 * and a single-use coupon are created in the cloud and pushed; the edge is then cut off from the broker and decides
 * every exit alone: the early bird and the cap appear in the line items, the cinema's validation gives 3 h free,
 * the coupon is applied once and refused the second time with COUPON_USED_UP. Back online, the cloud counts the
 * coupon's use and bills the validation back to the cinema's department.
 */
class RatesEndToEndTest extends SharedCloudTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String LOT = "rates";

    @BeforeAll
    static void edgeBuilt() {
        EdgeProcess.requireBuilt();
    }

    private static JsonNode line(JsonNode items, String kind) {
        for (JsonNode l : items) {
            if (l.path("kind").asText().equals(kind)) {
                return l;
            }
        }
        throw new AssertionError("no line " + kind + " in " + items);
    }

    private static long sum(JsonNode items) {
        long s = 0;
        for (JsonNode l : items) {
            s += l.path("amount").asLong();
        }
        return s;
    }

    private static boolean allApplied() {
        for (JsonNode e : api.get("/api/v1/edges?lot=" + LOT).body()) {
            if (e.path("unappliedCommands").asLong() != 0) {
                return false;
            }
        }
        return true;
    }

    /** The car under the exit barrier drives through, so the lane takes the next one. */
    private static void driveOut(EdgeProcess edge) throws Exception {
        edge.post("/simulator/lanes/out-1/safety", "{\"present\":true}");
        edge.until("car under the exit barrier", Duration.ofSeconds(20),
                () -> "VEHICLE_PASSING".equals(edge.lane("out-1").path("phase").asText()));
        edge.post("/simulator/lanes/out-1/safety", "{\"present\":false}");
        edge.until("exit lane idle", Duration.ofSeconds(20), () -> {
            JsonNode l = edge.lane("out-1");
            return "CLOSED".equals(l.path("barrier").asText()) && "IDLE".equals(l.path("phase").asText());
        });
    }

    /** Closes the edge's broker connections on this test's vhost and keeps it from reconnecting. */
    private static List<String> cutEdgeOff() {
        String vhost = cloud.broker.vhost();
        List<String> closed = new ArrayList<>();
        for (String row : TestBroker.ctl("list_connections", "-q", "--no-table-headers", "pid", "vhost", "client_properties")
                .split("\n")) {
            String[] f = row.split("\t");
            if (f.length >= 3 && f[1].equals(vhost) && f[2].contains("{\"connection_name\",\"edge-")) {
                closed.add(f[0]);
            }
        }
        return closed;
    }

    @Test
    void couponsValidationsEarlyBirdAndCapFromTheCloudAreDecidedAtAnOfflineEdge(@TempDir Path dir) throws Exception {
        assertThat(api.post("/api/v1/edges", "{\"lotId\":\"" + LOT + "\",\"levelId\":\"L0\"}").status(), is(201));
        try (EdgeProcess edge = EdgeProcess.start(cloud.broker.uri(), LOT, "L0", 10, dir)) {
            // 3.00 per started hour from the first minute, capped at 2.50 a calendar day, early bird 2.00 all day
            // (the test must not depend on the hour it runs at), EV surcharge.
            TestHttp.Response tariff = api.put("/api/v1/lots/" + LOT + "/tariff", """
                    {"version":5,"currency":"EUR","graceMinutes":0,"periodMinutes":60,"pricePerPeriod":300,
                     "dailyCap":250,"lostTicketFee":3000,"dailyMaximum":"CALENDAR_DAY","timeZone":"UTC",
                     "earlyBird":{"entryFrom":"00:00:00","entryUntil":"23:59:59","exitUntil":"23:59:59","price":200},
                     "surcharges":[{"spaceType":"EV","amount":150,"label":"EV charging"}]}""");
            assertThat(tariff.text(), tariff.status(), is(200));
            TestHttp.Response validator = api.post("/api/v1/lots/" + LOT + "/validators", """
                    {"validatorId":"cinema","name":"Cinema Rex","department":"box-office","kind":"TIME_OFF",
                     "value":180,"validMinutes":240}""");
            assertThat(validator.text(), validator.status(), is(201));
            TestHttp.Response coupon = api.post("/api/v1/lots/" + LOT + "/coupons", """
                    {"code":"WELCOME","kind":"AMOUNT_OFF","value":10000,"maxUses":1,
                     "validUntil":"%s"}""".formatted(Instant.now().plus(Duration.ofDays(7))));
            assertThat(coupon.text(), coupon.status(), is(201));
            assertThat(coupon.body().at("/pushed/version").asInt(), is(2));
            assertThat("same code twice", api.post("/api/v1/lots/" + LOT + "/coupons",
                    "{\"code\":\"WELCOME\",\"kind\":\"AMOUNT_OFF\",\"value\":1,\"maxUses\":1}").error(),
                    is("COUPON_EXISTS"));
            edge.until("the edge applied the tariff and the discounts", WAIT, RatesEndToEndTest::allApplied);

            JsonNode early = edge.driveIn("in-1", "EB1");
            JsonNode shopper = edge.driveIn("in-1", "VAL1");
            JsonNode first = edge.driveIn("in-1", "CPN1");
            JsonNode second = edge.driveIn("in-1", "CPN2");

            List<String> connections = cutEdgeOff();
            assertThat("the edge's connections on this vhost", connections.isEmpty(), is(false));
            TestBroker.ctl("set_vhost_limits", "-p", cloud.broker.vhost(), "{\"max-connections\": 0}");
            try {
                for (String pid : connections) {
                    TestBroker.ctl("close_connection", pid, "test: the edge goes offline");
                }
                edge.until("the edge knows it is offline", WAIT,
                        () -> !edge.get("/sync").path("connected").asBoolean());

                JsonNode quote = edge.get("/quote?ticket=" + early.path("ticket").asText());
                JsonNode items = quote.path("lineItems");
                assertThat(quote.toString(), quote.path("amount").asLong(), is(200L));
                assertThat(line(items, "PERIODS").path("amount").asLong(), is(300L));
                assertThat(line(items, "DAILY_CAP").path("amount").asLong(), is(-50L));
                assertThat(line(items, "EARLY_BIRD").path("amount").asLong(), is(-50L));
                assertThat(line(items, "COUPON").path("applied").asBoolean(), is(false));
                assertThat(sum(items), is(200L));

                TestHttp.Response stamp = edge.post("/validations", "{\"ticket\":\"" + shopper.path("ticket").asText()
                        + "\",\"validatorId\":\"cinema\"}");
                assertThat(stamp.text(), stamp.status(), is(201));
                TestHttp.Response validated = edge.post("/lanes/out-1/exits", "{\"ticket\":\""
                        + shopper.path("ticket").asText() + "\",\"validation\":\""
                        + stamp.body().path("validation").asText() + "\"}");
                assertThat(validated.text(), validated.status(), is(200));
                assertThat("3 h free covers a stay of minutes", validated.body().at("/fee/amount").asLong(), is(0L));
                assertThat(line(validated.body().path("lineItems"), "VALIDATION").path("detail").asText(),
                        containsString("Cinema Rex"));
                driveOut(edge);

                TestHttp.Response used = edge.post("/lanes/out-1/exits", "{\"ticket\":\""
                        + first.path("ticket").asText() + "\",\"coupon\":\"WELCOME\"}");
                assertThat(used.text(), used.status(), is(200));
                assertThat(used.body().at("/fee/amount").asLong(), is(0L));
                assertThat(line(used.body().path("lineItems"), "COUPON").path("amount").asLong(), is(-200L));
                driveOut(edge);

                TestHttp.Response again = edge.post("/lanes/out-1/exits", "{\"ticket\":\""
                        + second.path("ticket").asText() + "\",\"coupon\":\"WELCOME\"}");
                assertThat(again.text(), again.status(), is(409));
                assertThat(again.body().path("error").asText(), is("COUPON_USED_UP"));
                assertThat("the refused car is still inside",
                        edge.get("/sessions?status=OPEN").toString(), containsString("CPN2"));
            } finally {
                TestBroker.ctl("clear_vhost_limits", "-p", cloud.broker.vhost());
            }

            edge.until("the coupon's use reached the cloud", WAIT, () -> {
                JsonNode coupons = api.get("/api/v1/lots/" + LOT + "/coupons").body();
                return coupons.size() == 1 && coupons.get(0).path("uses").asLong() == 1;
            });
            JsonNode welcome = api.get("/api/v1/lots/" + LOT + "/coupons").body().get(0);
            assertThat(welcome.path("overUsed").asBoolean(), is(false));
            assertThat(welcome.at("/usesByLevel/L0").asLong(), is(1L));
            edge.until("the validation's close reached the cloud", WAIT, () -> api.get("/api/v1/lots/" + LOT
                    + "/validations/bill-back").body().path("lines").size() == 1);
            JsonNode bill = api.get("/api/v1/lots/" + LOT + "/validations/bill-back").body().path("lines").get(0);
            assertThat(bill.path("validatorId").asText(), is("cinema"));
            assertThat(bill.path("department").asText(), is("box-office"));
            assertThat(bill.path("uses").asLong(), is(1L));
            assertThat(bill.path("amount").asLong(), is(200L));
            long audited = Jdbc.read(cloud.app.dataSource(), c -> Jdbc.query(c,
                    "SELECT count(*) FROM audit_log WHERE lot_id = ? AND action IN ('validator.create', 'coupon.create')",
                    rs -> rs.getLong(1), LOT).getFirst());
            assertThat(audited, is(2L));
            assertThat(api.get("/api/v1/lots/" + LOT + "/validators").text(), not(containsString("shop")));
        }
    }
}
