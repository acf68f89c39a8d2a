package org.openparking.edge.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.testing.TestHttp;
import org.openparking.testing.TestHttp.Response;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.protocol.VehicleType;

/** Every endpoint of the edge API over real HTTP, against a real SQLite file. */
class EdgeApiTest {
    private TestEdge edge;

    @BeforeEach
    void start() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2, VehicleType.EV, 1));
    }

    @AfterEach
    void stop() {
        edge.close();
    }

    @Test
    void availabilityShowsCapacityByTypeAndSupportsConditionalPolling() {
        Response r = edge.get("/availability");
        assertThat(r.status(), is(200));
        assertThat(r.body().get("lotId").asText(), is("lot-t"));
        assertThat(r.body().get("capacity").asInt(), is(3));
        assertThat(r.body().get("free").asInt(), is(3));
        assertThat(r.body().get("status").asText(), is("OPEN"));
        assertThat(r.body().at("/byType/EV/capacity").asInt(), is(1));
        String etag = r.headers().firstValue("ETag").orElseThrow();

        assertThat(edge.get("/availability", "If-None-Match", etag).status(), is(304));
        edge.enterAndPass("AB1");
        Response changed = edge.get("/availability", "If-None-Match", etag);
        assertThat(changed.status(), is(200));
        assertThat(changed.body().get("free").asInt(), is(2));
        assertThat(changed.headers().firstValue("ETag").orElseThrow(), is(not(etag)));
    }

    @Test
    void anEntryIssuesAVerifiableTicketAndOpensTheGate() {
        Response r = edge.post("/lanes/in-1/entries", "{\"plate\":\"ab-12 3\",\"vehicleType\":\"EV\"}");
        assertThat(r.toString(), r.status(), is(201));
        String ticket = r.body().get("ticket").asText();
        assertThat(ticket, startsWith("T1."));
        TicketSigner.Ticket t = new TicketSigner("lot-t", "test-ticket-secret-0123456789").verify(ticket);
        assertThat(t.sessionId(), is(r.body().get("sessionId").asText()));
        assertThat(r.body().get("spotType").asText(), is("EV"));
        assertThat(edge.sim().printed("in-1").getLast(), is(ticket));
        assertThat(edge.phase("in-1"), is("GATE_OPEN"));

        Response session = edge.get("/sessions/" + t.sessionId());
        assertThat(session.status(), is(200));
        assertThat(session.body().get("plate").asText(), is("AB123"));
        assertThat(session.body().get("status").asText(), is("OPEN"));
        assertThat(edge.get("/sessions?status=OPEN").body().size(), is(1));
        assertThat(edge.get("/sessions?status=CLOSED").body().size(), is(0));
    }

    @Test
    void aFullLevelRefusesEntryWithoutChangingState() {
        edge.enterAndPass("A1");
        edge.enterAndPass("A2");
        assertThat(edge.post("/lanes/in-1/entries", "{\"plate\":\"E1\",\"vehicleType\":\"EV\"}").status(), is(201));
        edge.pass("in-1");
        Response full = edge.post("/lanes/in-1/entries", "{\"plate\":\"A4\",\"vehicleType\":\"EV\"}");
        assertThat(full.status(), is(409));
        assertThat(full.error(), is("LEVEL_FULL"));
        assertThat(edge.get("/sessions?status=OPEN").body().size(), is(3));
        assertThat(edge.get("/availability").body().get("status").asText(), is("FULL"));
        assertThat(edge.phase("in-1"), is("IDLE"));
    }

    @Test
    void standardCarsDoNotTakeSpecialSpotsButSpecialCarsMayTakeStandardOnes() {
        edge.enterAndPass("A1");
        edge.enterAndPass("A2");
        Response third = edge.post("/lanes/in-1/entries", "{\"plate\":\"A3\"}");
        assertThat(third.error(), is("LEVEL_FULL"));
        Response ev = edge.post("/lanes/in-1/entries", "{\"plate\":\"E1\",\"vehicleType\":\"EV\"}");
        assertThat(ev.status(), is(201));
        assertThat(ev.body().get("spotType").asText(), is("EV"));
    }

    @Test
    void anExitWithinTheGracePeriodIsFreeAndASecondExitIsRefused() {
        String ticket = edge.enterAndPass("AB1").get("ticket").asText();
        edge.clock().advance(Duration.ofMinutes(10));
        Response exit = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(exit.toString(), exit.status(), is(200));
        assertThat(exit.body().at("/fee/amount").asLong(), is(0L));
        assertThat(exit.body().at("/payment/status").asText(), is("NOT_REQUIRED"));
        assertThat(edge.phase("out-1"), is("GATE_OPEN"));
        edge.pass("out-1");
        assertThat(edge.get("/availability").body().get("free").asInt(), is(3));

        Response again = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(again.status(), is(409));
        assertThat(again.error(), is("TICKET_ALREADY_USED"));
        assertThat(edge.phase("out-1"), is("IDLE"));
    }

    @Test
    void aFeeDueWithoutPaymentMethodIsPaymentRequiredAndChangesNothing() {
        String ticket = edge.enterAndPass("AB1").get("ticket").asText();
        edge.clock().advance(Duration.ofMinutes(90));
        Response quote = edge.get("/quote?ticket=" + ticket);
        assertThat(quote.status(), is(200));
        assertThat(quote.body().get("amount").asLong(), is(600L));
        assertThat(quote.body().get("currency").asText(), is("EUR"));
        assertThat(quote.body().get("tariffVersion").asInt(), is(1));

        Response exit = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(exit.status(), is(402));
        assertThat(exit.error(), is("PAYMENT_REQUIRED"));
        assertThat(exit.body().at("/fee/amount").asLong(), is(600L));
        assertThat(edge.phase("out-1"), is("IDLE"));
        assertThat(edge.get("/sessions?status=OPEN").body().size(), is(1));
    }

    @Test
    void offlineTheFloorLimitDecidesBetweenDeferredAndPending() {
        String small = edge.enterAndPass("S1").get("ticket").asText();
        String large = edge.enterAndPass("L1").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(3)); // 900 cents, under the 1500 floor
        Response deferred = edge.post("/lanes/out-1/exits",
                "{\"ticket\":\"" + small + "\",\"paymentMethod\":\"pm_card_visa\"}");
        assertThat(deferred.toString(), deferred.status(), is(200));
        assertThat(deferred.body().at("/payment/status").asText(), is("DEFERRED"));
        assertThat(deferred.body().at("/payment/paymentId").asText(), notNullValue());
        edge.pass("out-1");

        edge.clock().advance(Duration.ofHours(3)); // the other car now owes 1800, above the floor
        Response pending = edge.post("/lanes/out-1/exits",
                "{\"ticket\":\"" + large + "\",\"paymentMethod\":\"pm_card_visa\"}");
        assertThat(pending.toString(), pending.status(), is(202));
        assertThat(pending.body().at("/payment/status").asText(), is("PENDING"));
        assertThat(pending.body().get("gate").asText(), is("CLOSED"));
        assertThat(edge.phase("out-1"), is("IDLE"));
        assertThat(edge.get("/sessions?status=OPEN").body().size(), is(1));
    }

    @Test
    void aLostTicketIsBilledAtLeastTheLostTicketFeeByPlate() {
        edge.enterAndPass("LOST1");
        edge.clock().advance(Duration.ofHours(2));
        assertThat(edge.post("/lanes/out-1/exits", "{\"lostTicket\":true}").error(), is("PLATE_REQUIRED"));
        Response known = edge.post("/lanes/out-1/exits", "{\"lostTicket\":true,\"plate\":\"lost-1\"}");
        assertThat(known.status(), is(402));
        assertThat(known.body().at("/fee/amount").asLong(), is(5000L));
        Response unknown = edge.post("/lanes/out-1/exits", "{\"lostTicket\":true,\"plate\":\"NOBODY\"}");
        assertThat(unknown.body().at("/fee/amount").asLong(), is(5000L));
        assertThat("a refused exit records nothing", edge.get("/sessions").body().size(), is(1));

        edge.put("/admin/allow-list", "{\"plates\":[\"LOST1\"]}");
        Response staff = edge.post("/lanes/out-1/exits", "{\"lostTicket\":true,\"plate\":\"LOST1\"}");
        assertThat(staff.toString(), staff.status(), is(200));
        JsonNode session = edge.get("/sessions/" + staff.body().get("sessionId").asText()).body();
        assertThat(session.get("status").asText(), is("CLOSED"));
        assertThat(session.get("lostTicket").asBoolean(), is(true));
    }

    @Test
    void cardNumbersAreRefusedAndNeverEchoed() {
        String ticket = edge.enterAndPass("AB1").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(2));
        Response r = edge.post("/lanes/out-1/exits",
                "{\"ticket\":\"" + ticket + "\",\"paymentMethod\":\"4242 4242 4242 4242\"}");
        assertThat(r.status(), is(400));
        assertThat(r.error(), is("CARD_NUMBER_REFUSED"));
        assertThat(r.text(), not(containsString("4242")));
    }

    @Test
    void badTicketsAreRefusedWithTheirReason() {
        edge.enterAndPass("AB1");
        String foreign = new TicketSigner("other-lot", "another-lots-secret-000000").sign("x", edge.clock().instant());
        assertThat(edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + foreign + "\"}").error(), is("TICKET_FOREIGN"));
        String forged = new TicketSigner("lot-t", "not-the-lot-key-1234567890").sign("x", edge.clock().instant());
        assertThat(edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + forged + "\"}").status(), is(403));
        assertThat(edge.post("/lanes/out-1/exits", "{\"ticket\":\"nonsense\"}").error(), is("TICKET_MALFORMED"));
        // One code for a missing ticket wherever a ticket is read.
        assertThat(edge.post("/lanes/out-1/exits", "{}").error(), is("TICKET_REQUIRED"));
        assertThat(edge.post("/lanes/out-1/exits", "{\"ticket\":\" \"}").error(), is("TICKET_REQUIRED"));
        assertThat(edge.get("/quote").error(), is("TICKET_REQUIRED"));
        assertThat(edge.post("/pay-station/payments", "{\"paymentMethod\":\"pm_card_visa\"}").error(),
                is("TICKET_REQUIRED"));
        assertThat(edge.get("/sessions?status=OPEN").body().size(), is(1));
    }

    @Test
    void aTicketFromAnotherLevelOfTheLotIsHonoured() {
        String otherLevel = new TicketSigner("lot-t", "test-ticket-secret-0123456789")
                .sign("from-level-1", edge.clock().instant());
        Response r = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + otherLevel + "\"}");
        assertThat(r.toString(), r.status(), is(200));
        assertThat(edge.get("/sessions/from-level-1").body().get("status").asText(), is("CLOSED"));
    }

    @Test
    void requestsThatDoNotFitTheLaneAreRefused() {
        assertThat(edge.post("/lanes/out-1/entries", "{}").error(), is("WRONG_DIRECTION"));
        assertThat(edge.post("/lanes/in-1/exits", "{\"ticket\":\"T1.a.b\"}").error(), is("WRONG_DIRECTION"));
        Response unknown = edge.post("/lanes/nope/entries", "{}");
        assertThat(unknown.status(), is(404));
        assertThat(unknown.error(), is("UNKNOWN_LANE"));
        assertThat(edge.post("/lanes/in-1/entries", "{\"plate\":").error(), is("MALFORMED_JSON"));
        assertThat(edge.post("/lanes/in-1/entries", "[1,2]").error(), is("MALFORMED_JSON"));
        assertThat(edge.post("/lanes/in-1/entries", "{\"vehicleType\":\"TRUCK\"}").error(), is("INVALID_FIELD"));
        assertThat(edge.post("/lanes/in-1/entries", "{\"plate\":42}").error(), is("INVALID_FIELD"));
        assertThat(edge.post("/lanes/in-1/entries", "{\"plate\":\"<script>\"}").error(), is("INVALID_PLATE"));
        assertThat(edge.get("/sessions?status=OPEN").body().size(), is(0));
        assertThat(edge.get("/sessions/nope").status(), is(404));
        Response noSuchPath = edge.get("/no/such/path");
        assertThat(noSuchPath.status(), is(404));
        assertThat(noSuchPath.error(), is("NOT_FOUND"));
        assertThat(edge.get("/sessions?status=MAYBE").error(), is("INVALID_QUERY"));
        assertThat(edge.get("/sessions?limit=0").error(), is("INVALID_QUERY"));
    }

    @Test
    void anOversizedBodyIsRefusedWith413() throws Exception {
        // Expect: 100-continue, as a well-behaved client sends a large body: the server answers 413 from the
        // Content-Length before the body is on the wire. Without it the server's close while the client is
        // still writing can reach the client as a reset instead of the 413 (seen on a loaded machine).
        Response r = TestHttp.create().expectingContinue().post(edge.base() + "/lanes/in-1/entries",
                "{\"plate\":\"" + "A".repeat(70_000) + "\"}");
        assertThat(r.status(), is(413));
        assertThat(r.text(), r.error(), is("PAYLOAD_TOO_LARGE"));
        assertThat(edge.get("/sessions?status=OPEN").body().size(), is(0));
    }

    @Test
    void onePlateCannotHoldTwoOpenSessions() {
        edge.enterAndPass("AB1");
        Response again = edge.post("/lanes/in-1/entries", "{\"plate\":\"ab-1\"}");
        assertThat(again.status(), is(409));
        assertThat(again.error(), is("PLATE_ALREADY_INSIDE"));
    }

    @Test
    void aSecondEntryWaitsForThePreviousCarToPass() {
        assertThat(edge.post("/lanes/in-1/entries", "{}").status(), is(201));
        Response busy = edge.post("/lanes/in-1/entries", "{}");
        assertThat(busy.status(), is(409));
        assertThat(busy.error(), is("LANE_BUSY"));
        edge.pass("in-1");
        assertThat(edge.post("/lanes/in-1/entries", "{}").status(), is(201));
    }

    @Test
    void aClosedLevelRefusesEntriesAndShowsClosedNotFull() {
        Response closed = edge.post("/admin/level/status", "{\"closed\":true,\"reason\":\"cleaning\"}");
        assertThat(closed.status(), is(200));
        assertThat(edge.get("/availability").body().get("status").asText(), is("CLOSED"));
        assertThat(edge.post("/lanes/in-1/entries", "{}").error(), is("LEVEL_CLOSED"));
        edge.post("/admin/level/status", "{\"closed\":false}");
        assertThat(edge.get("/availability").body().get("status").asText(), is("OPEN"));
        assertThat(edge.post("/admin/level/status", "{}").error(), is("INVALID_FIELD"));
    }

    @Test
    void aNewerTariffAppliesToNewSessionsOnlyAndAStaleOneIsRefused() {
        String before = edge.enterAndPass("OLD1").get("ticket").asText();
        Response put = edge.put("/admin/tariff", "{\"version\":2,\"currency\":\"EUR\",\"graceMinutes\":0,"
                + "\"periodMinutes\":60,\"pricePerPeriod\":1000,\"dailyCap\":0,\"lostTicketFee\":5000}");
        assertThat(put.toString(), put.status(), is(200));
        String after = edge.enterAndPass("NEW1").get("ticket").asText();
        edge.clock().advance(Duration.ofMinutes(30));
        assertThat(edge.get("/quote?ticket=" + before).body().get("amount").asLong(), is(300L));
        assertThat(edge.get("/quote?ticket=" + after).body().get("amount").asLong(), is(1000L));
        assertThat(edge.put("/admin/tariff", "{\"version\":2,\"currency\":\"EUR\",\"graceMinutes\":0,"
                + "\"periodMinutes\":60,\"pricePerPeriod\":1,\"dailyCap\":0,\"lostTicketFee\":0}").error(),
                is("STALE_TARIFF_VERSION"));
        assertThat(edge.put("/admin/tariff", "{\"version\":3,\"currency\":\"euro\",\"graceMinutes\":0,"
                + "\"periodMinutes\":60,\"pricePerPeriod\":1,\"dailyCap\":0,\"lostTicketFee\":0}").error(),
                is("INVALID_TARIFF"));
    }

    @Test
    void aTariffWhoseAmountsCouldOverflowIsRefusedNamingTheFieldAndTheStoredOneStays() {
        String before = edge.get("/admin/tariff").text();
        Response huge = edge.put("/admin/tariff", "{\"version\":9,\"currency\":\"EUR\",\"graceMinutes\":0,"
                + "\"periodMinutes\":1,\"pricePerPeriod\":9223372036854775807,\"dailyCap\":0,\"lostTicketFee\":0}");
        assertThat(huge.toString(), huge.status(), is(400));
        assertThat(huge.error(), is("INVALID_TARIFF"));
        assertThat(huge.body().path("message").asText(), containsString("pricePerPeriod"));
        Response cap = edge.put("/admin/tariff", "{\"version\":9,\"currency\":\"EUR\",\"graceMinutes\":0,"
                + "\"periodMinutes\":1,\"pricePerPeriod\":1,\"dailyCap\":1000000000000,\"lostTicketFee\":0}");
        assertThat(cap.body().path("message").asText(), containsString("dailyCap"));
        assertThat(edge.get("/admin/tariff").text(), is(before));
    }

    @Test
    void allowListedPlatesLeaveWithoutAFee() {
        edge.put("/admin/allow-list", "{\"plates\":[\"staff-1\"]}");
        String ticket = edge.enterAndPass("STAFF1").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(5));
        Response exit = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(exit.status(), is(200));
        assertThat(exit.body().at("/payment/status").asText(), is("NOT_REQUIRED"));
    }

    @Test
    void aManualOpenNeedsAReasonAndAFaultyBarrierRefusesTraffic() {
        assertThat(edge.post("/admin/lanes/out-1/open", "{}").error(), is("REASON_REQUIRED"));
        assertThat(edge.post("/admin/lanes/out-1/open", "{\"reason\":\"stuck car\"}").status(), is(200));
        assertThat(edge.phase("out-1"), is("GATE_OPEN"));
        edge.pass("out-1");

        edge.sim().injectBarrierFault("in-1", "arm broken");
        org.awaitility.Awaitility.await().until(() -> edge.barrier("in-1").equals("FAULT"));
        Response refused = edge.post("/lanes/in-1/entries", "{}");
        assertThat(refused.status(), is(503));
        assertThat(refused.error(), is("BARRIER_FAULT"));
        assertThat(edge.get("/sessions?status=OPEN").body().size(), is(0));
        assertThat(edge.post("/admin/lanes/in-1/reset", "{}").status(), is(200));
        org.awaitility.Awaitility.await().until(() -> edge.barrier("in-1").equals("CLOSED"));
        assertThat(edge.post("/lanes/in-1/entries", "{}").status(), is(201));
    }

    @Test
    void aPrinterFaultStillAdmitsWithTheTicketOnTheDisplay() {
        edge.sim().injectPrinterFault("in-1", "paper out");
        Response r = edge.post("/lanes/in-1/entries", "{}");
        assertThat(r.status(), is(201));
        assertThat(r.body().get("printed").asBoolean(), is(false));
    }

    @Test
    void lanesAndSpotsAreListed() {
        JsonNode lanes = edge.get("/lanes").body();
        assertThat(lanes.size(), is(2));
        assertThat(lanes.get(0).get("direction").asText(), is("ENTRY"));
        JsonNode spots = edge.get("/spots").body();
        assertThat(spots.size(), is(3));
    }

    @Test
    void theSimulatorRejectsMalformedInput() {
        assertThat(edge.post("/simulator/spots/STANDARD-001", "{\"occupied\":\"yes\"}").error(), is("INVALID_FIELD"));
        assertThat(edge.post("/simulator/spots/nope", "{\"occupied\":true}").status(), is(404));
        assertThat(edge.post("/simulator/lanes/nope/safety", "{\"present\":true}").status(), is(404));
        assertThat(edge.post("/simulator/lanes/in-1/safety", "{bad").error(), is("MALFORMED_JSON"));
    }

    @Test
    void stateSurvivesARestart() {
        String ticket = edge.enterAndPass("KEEP1").get("ticket").asText();
        long version = edge.get("/availability").body().get("version").asLong();
        edge.restart();
        assertThat(edge.get("/availability").body().get("free").asInt(), is(2));
        // the version goes on from the stored one: a restart announces the level once more
        assertThat(edge.get("/availability").body().get("version").asLong(), is(version + 1));
        edge.clock().advance(Duration.ofMinutes(5));
        assertThat(edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}").status(), is(200));
    }
}
