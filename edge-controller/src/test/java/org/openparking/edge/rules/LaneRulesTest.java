package org.openparking.edge.rules;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PoolCounts;
import org.openparking.protocol.UpdateLaneRules;
import org.openparking.protocol.UpdateLaneRules.Account;
import org.openparking.protocol.UpdateLaneRules.Permit;
import org.openparking.protocol.UpdateLaneRules.Pool;
import org.openparking.protocol.UpdateLaneRules.Reservation;
import org.openparking.protocol.UpdateLaneRules.Window;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp.Response;

/**
 * Lane rules decided at a real edge (SQLite, HTTP, simulated lanes) with no cloud at all: the rules arrive as the
 * {@code command.update-lane-rules} envelope the cloud sends, applied through the edge's command path.
 */
class LaneRulesTest {
    private TestEdge edge;
    private long seq = 1;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    private Instant now() {
        return edge.clock().instant();
    }

    private void push(long version, List<Permit> permits, List<Pool> pools, List<Reservation> reservations,
                      List<Account> accounts) {
        edge.app().commands().apply(Envelope.of("lot-t.L0", "lot-t", "L0", seq++, now(),
                new UpdateLaneRules(version, now(), permits, pools, reservations, accounts)));
    }

    private static Permit permit(String id, String plate, String pool) {
        return new Permit(id, plate, null, null, null, Window.HARD, List.of(), pool, false);
    }

    private Response enter(String json) {
        return edge.post("/lanes/in-1/entries", json);
    }

    private JsonNode lane(String laneId) {
        for (JsonNode l : edge.get("/lanes").body()) {
            if (l.path("laneId").asText().equals(laneId)) {
                return l;
            }
        }
        throw new AssertionError(laneId);
    }

    @Test
    void permitsEnterOfflineAndTheRefusedOnesGetTheirNamedReason() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 10));
        Instant t = now();
        push(1, List.of(permit("p1", "AB-101", "acme"), permit("p2", "AB-102", "acme"), permit("p3", "AB-103", "acme"),
                        new Permit("p4", "SUS-1", null, null, null, Window.HARD, List.of(), null, true),
                        new Permit("p5", "SOFT-1", null, t.minusSeconds(7200), t.minusSeconds(3600), Window.SOFT,
                                List.of(), null, false),
                        new Permit("p6", "HARD-1", null, t.minusSeconds(7200), t.minusSeconds(3600), Window.HARD,
                                List.of(), null, false),
                        new Permit("p7", "ZONE-1", null, null, null, Window.HARD, List.of("L9"), null, false)),
                List.of(new Pool("acme", 2, Map.of())), List.of(), List.of());

        String ticket = enter("{\"plate\":\"ab 101\"}").body().path("ticket").asText();
        edge.pass("in-1");
        assertThat(enter("{\"plate\":\"AB-102\"}").status(), is(201));
        edge.pass("in-1");
        Response third = enter("{\"plate\":\"AB-103\"}");
        assertThat(third.toString(), third.status(), is(409));
        assertThat(third.body().path("error").asText(), is("POOL_FULL"));
        assertThat(lane("in-1").at("/lastRefusal/reason").asText(), is("POOL_FULL"));

        Response suspended = enter("{\"plate\":\"SUS-1\"}");
        assertThat(suspended.status(), is(403));
        assertThat(suspended.body().path("error").asText(), is("PERMIT_SUSPENDED"));
        Response hard = enter("{\"plate\":\"HARD-1\"}");
        assertThat(hard.body().path("error").asText(), is("PERMIT_OUTSIDE_WINDOW"));
        assertThat(enter("{\"plate\":\"ZONE-1\"}").body().path("error").asText(), is("PERMIT_WRONG_LEVEL"));
        assertThat("a soft window admits outside it", enter("{\"plate\":\"SOFT-1\"}").status(), is(201));
        edge.pass("in-1");
        assertThat(lane("in-1").path("lastRefusal").isNull(), is(true));

        // The permit leaves with no fee after two hours, and the pool has room for the third car again.
        edge.clock().advance(Duration.ofHours(2));
        Response out = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(out.toString(), out.status(), is(200));
        assertThat(out.body().at("/fee/amount").asLong(), is(0L));
        assertThat(out.body().at("/payment/status").asText(), is("NOT_REQUIRED"));
        edge.pass("out-1");
        assertThat(enter("{\"plate\":\"AB-103\"}").status(), is(201));
        edge.pass("in-1");

        // Each pool car's entry and exit reported the level's pool counts, newest version last.
        List<PoolCounts> counts = outbox(PoolCounts.class);
        assertThat(counts.size(), is(4));
        assertThat(counts.getLast().inside(), is(Map.of("acme", 2)));
        assertThat(counts.getLast().version(), greaterThan(counts.getFirst().version()));
        assertThat(counts.get(2).inside(), is(Map.of("acme", 1)));

        String metrics = edge.getRoot("/observe/metrics").text();
        assertThat(metrics, containsString("reason=\"POOL_FULL\""));
        assertThat(metrics, containsString("reason=\"PERMIT_SUSPENDED\""));
        JsonNode state = edge.get("/lane-rules").body();
        assertThat(state.path("version").asLong(), is(1L));
        assertThat(state.at("/poolsInside/acme/inside").asInt(), is(2));
    }

    @Test
    void anOlderSnapshotIsIgnoredAndANewerOneReplacesEveryRule() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 10));
        push(5, List.of(permit("p1", "NEW-1", null)), List.of(), List.of(), List.of());
        push(4, List.of(new Permit("p1", "NEW-1", null, null, null, Window.HARD, List.of(), null, true)), List.of(),
                List.of(), List.of());
        assertThat(edge.get("/lane-rules").body().path("version").asLong(), is(5L));
        assertThat("version 4 did not suspend the permit", enter("{\"plate\":\"NEW-1\"}").status(), is(201));
        edge.pass("in-1");
        push(6, List.of(), List.of(), List.of(), List.of());
        assertThat(edge.get("/lane-rules").body().path("permits").asInt(), is(0));
    }

    @Test
    void aCardPermitHasAntiPassbackUntilAnOperatorSetsItToNeutral() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 10));
        push(1, List.of(new Permit("p9", null, "card-77", null, null, Window.HARD, List.of(), null, false)),
                List.of(), List.of(), List.of());
        assertThat(enter("{\"card\":\"CARD-77\"}").status(), is(201));
        edge.pass("in-1");
        Response again = enter("{\"card\":\"card-77\"}");
        assertThat(again.status(), is(409));
        assertThat(again.body().path("error").asText(), is("ANTI_PASSBACK"));
        assertThat(enter("{\"card\":\"card-78\"}").body().path("error").asText(), is("UNKNOWN_CARD"));
        assertThat(enter("{\"card\":\"4111 1111 1111 1111\"}").body().path("error").asText(),
                is("CARD_NUMBER_REFUSED"));

        long freeBefore = edge.free();
        Response neutral = edge.post("/admin/permits/p9/neutral", "{}");
        assertThat(neutral.toString(), neutral.status(), is(200));
        assertThat(neutral.body().path("closedSessionId").isTextual(), is(true));
        assertThat("the unseen car's space is free again", edge.free(), is(freeBefore + 1));
        assertThat(enter("{\"card\":\"card-77\"}").status(), is(201));
        edge.pass("in-1");
        assertThat(edge.post("/admin/permits/nobody/neutral", "{}").body().path("error").asText(),
                is("UNKNOWN_PERMIT"));
    }

    @Test
    void reservationsHoldCapacityFromWalkInsAndAPrepaidOneLeavesWithoutPaying() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 3));
        Instant t = now();
        push(1, List.of(), List.of(), List.of(
                new Reservation("r1", "RES-1", null, t.minusSeconds(600), t.plusSeconds(7200), null, true),
                new Reservation("r2", null, "QR-42", t.minusSeconds(600), t.plusSeconds(7200), "L0", false),
                new Reservation("r3", "LATER-1", null, t.plusSeconds(86_400), t.plusSeconds(90_000), null, false)),
                List.of());
        assertThat(enter("{\"plate\":\"WALK-1\"}").status(), is(201));
        edge.pass("in-1");
        Response walkIn = enter("{\"plate\":\"WALK-2\"}");
        assertThat(walkIn.toString(), walkIn.status(), is(409));
        assertThat(walkIn.body().path("error").asText(), is("HELD_FOR_RESERVATIONS"));
        assertThat(enter("{\"reservationCode\":\"QR-41\"}").body().path("error").asText(), is("RESERVATION_INVALID"));
        String ticket = enter("{\"plate\":\"RES-1\"}").body().path("ticket").asText();
        edge.pass("in-1");
        assertThat(enter("{\"reservationCode\":\"QR-42\"}").status(), is(201));
        edge.pass("in-1");

        edge.clock().advance(Duration.ofHours(3));
        Response out = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(out.toString(), out.status(), is(200));
        assertThat("an event pre-sale leaves with no pay station", out.body().at("/fee/amount").asLong(), is(0L));
        edge.pass("out-1");
    }

    @Test
    void aTicketlessExitIsChargedOnAConfidentReadAndFallsBackByNameOtherwise() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 10));
        push(1, List.of(), List.of(), List.of(), List.of(new Account("CAR-808", "pm_card_visa"),
                new Account("LOW-1", "pm_card_visa")));
        edge.enterAndPass("CAR-808");
        edge.enterAndPass("LOW-1");
        edge.clock().advance(Duration.ofHours(2));

        assertThat(ticketless().body().path("error").asText(), is("NO_PLATE_READ"));
        readAt(result("CAR-808", 0.99), now().plusSeconds(3600));
        assertThat("a read stamped in the future is not used", ticketless().body().path("error").asText(),
                is("NO_PLATE_READ"));
        read("[]");
        Response nothing = ticketless();
        assertThat(nothing.body().path("error").asText(), is("NO_VEHICLE"));
        assertThat(edge.barrier("out-1"), is("CLOSED"));

        read(result("LOW-1", 0.81));
        Response low = ticketless();
        assertThat(low.status(), is(409));
        assertThat(low.body().path("error").asText(), is("LOW_CONFIDENCE"));
        assertThat(low.body().path("fallback").asText(), is("TICKET"));
        assertThat(lane("out-1").at("/lastRefusal/reason").asText(), is("LOW_CONFIDENCE"));

        read(result("PARK-99", 0.97));
        assertThat(ticketless().body().path("error").asText(), is("UNKNOWN_VEHICLE"));

        // The reader confused 8 and B, 0 and O: the one plate rule still finds the car.
        read(result("carB0B", 0.95));
        Response paid = ticketless();
        assertThat(paid.toString(), paid.status(), is(200));
        assertThat(paid.body().at("/fee/amount").asLong(), is(600L));
        assertThat("no cloud: charged through the offline payment path", paid.body().at("/payment/status").asText(),
                is("DEFERRED"));
        assertThat(paid.body().path("gate").asText(), anyOf(is("OPENING"), is("OPEN")));
        edge.pass("out-1");
        assertThat("the read was used once", ticketless().body().path("error").asText(), is("NO_PLATE_READ"));

        edge.clock().advance(Duration.ofHours(25));
        read(result("LOW-1", 0.99));
        assertThat(ticketless().body().path("error").asText(), is("STALE_RULES"));
        String metrics = edge.getRoot("/observe/metrics").text();
        for (String reason : List.of("NO_PLATE_READ", "NO_VEHICLE", "LOW_CONFIDENCE", "UNKNOWN_VEHICLE",
                "STALE_RULES")) {
            assertThat(metrics, containsString("reason=\"" + reason + "\""));
        }
        assertThat(edge.post("/lanes/out-1/plate-reads", "{\"plate\":\"AB1\"}").body().path("error").asText(),
                is("INVALID_PLATE_READ"));
        assertThat("a refusal moved no barrier", edge.barrier("out-1"), is("CLOSED"));
    }

    private Response ticketless() {
        return edge.post("/lanes/out-1/exits", "{\"ticketless\":true}");
    }

    private static String result(String plate, double score) {
        return "[{\"plate\":\"" + plate + "\",\"score\":" + score + ",\"vehicle\":{\"type\":\"Sedan\",\"score\":0.9}}]";
    }

    /** A Plate Recognizer webhook body for the exit camera, stamped with the edge's clock. */
    private void read(String results) {
        readAt(results, now());
    }

    private void readAt(String results, Instant at) {
        Response r = edge.post("/lanes/out-1/plate-reads", "{\"hook\":{\"id\":\"cam-out\",\"event\":\"recognition\"},"
                + "\"data\":{\"camera_id\":\"cam-out\",\"timestamp\":\"" + at + "\",\"results\":" + results + "}}");
        assertThat(r.toString(), r.status(), is(202));
    }

    private <T> List<T> outbox(Class<T> type) {
        return edge.app().database().read(c -> {
            List<T> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM outbox ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Envelope e = MessageCodec.decode(rs.getBytes(1));
                    if (type.isInstance(e.payload())) {
                        found.add(type.cast(e.payload()));
                    }
                }
            } catch (org.openparking.protocol.ProtocolException e) {
                throw new AssertionError(e);
            }
            return found;
        });
    }

}
