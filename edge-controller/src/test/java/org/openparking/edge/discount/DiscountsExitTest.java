package org.openparking.edge.discount;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.UpdateDiscounts;
import org.openparking.protocol.UpdateDiscounts.Coupon;
import org.openparking.protocol.UpdateDiscounts.Kind;
import org.openparking.protocol.UpdateDiscounts.Validator;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp.Response;

/**
 * Validations and coupons at a real edge (SQLite, HTTP, no cloud): pushed as {@code command.discounts}, verified
 * offline, applied in order after the tariff, every refusal named, a single-use coupon refused the second time.
 * The tariff is TestEdge's: 15 free minutes, then 3.00 per started hour, at most 24.00 per 24 h.
 */
class DiscountsExitTest {
    private static final Validator CINEMA = new Validator("cinema", "Cinema Rex", "box-office", Kind.TIME_OFF, 180,
            240);
    private static final Validator SHOP = new Validator("shop", "Bookshop", "front-desk", Kind.REPLACE_PRICE, 100, 60);
    private TestEdge edge;
    private long seq;

    @BeforeEach
    void start() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 10));
        push(1, List.of(CINEMA, SHOP), List.of(
                new Coupon("ONCE5", Kind.AMOUNT_OFF, 500, 1, null, null, 0),
                new Coupon("HALF", Kind.PERCENT_OFF, 50, 0, null, null, 0),
                new Coupon("HOUR", Kind.TIME_OFF, 60, 3, null, null, 2),
                new Coupon("GONE", Kind.AMOUNT_OFF, 100, 0, null, edge.clock().instant().minusSeconds(1), 0),
                new Coupon("SOON", Kind.AMOUNT_OFF, 100, 0, edge.clock().instant().plus(Duration.ofDays(1)), null, 0)));
    }

    @AfterEach
    void stop() {
        edge.close();
    }

    private boolean push(int version, List<Validator> validators, List<Coupon> coupons) {
        return edge.app().commands().apply(Envelope.of("lot-t.L0", "lot-t", "L0", ++seq, Instant.now(),
                new UpdateDiscounts(version, validators, coupons)));
    }

    private String validation(String ticket, String validatorId) {
        Response r = edge.post("/validations", "{\"ticket\":\"" + ticket + "\",\"validatorId\":\"" + validatorId + "\"}");
        assertThat(r.toString(), r.status(), is(201));
        return r.body().get("validation").asText();
    }

    private Response exit(String ticket, String validation, String coupon) {
        StringBuilder body = new StringBuilder("{\"ticket\":\"" + ticket + "\",\"paymentMethod\":\"pm_card_visa\"");
        if (validation != null) {
            body.append(",\"validation\":\"").append(validation).append('"');
        }
        if (coupon != null) {
            body.append(",\"coupon\":\"").append(coupon).append('"');
        }
        return edge.post("/lanes/out-1/exits", body.append('}').toString());
    }

    private static JsonNode line(JsonNode items, String kind) {
        for (JsonNode l : items) {
            if (l.get("kind").asText().equals(kind)) {
                return l;
            }
        }
        throw new AssertionError("no line " + kind + " in " + items);
    }

    private static long sum(JsonNode items) {
        long s = 0;
        for (JsonNode l : items) {
            s += l.get("amount").asLong();
        }
        return s;
    }

    private List<SessionClosed> closes() {
        return edge.app().database().read(c -> {
            List<SessionClosed> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT body FROM outbox WHERE type = 'session.closed' ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        out.add((SessionClosed) MessageCodec.decode(rs.getBytes(1)).payload());
                    } catch (org.openparking.protocol.ProtocolException e) {
                        throw new AssertionError(e);
                    }
                }
            }
            return out;
        });
    }

    private int couponUses(String code) {
        return edge.app().database().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM coupon_uses WHERE code = ?")) {
                ps.setString(1, code);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Test
    void aCinemaValidationGivesThreeHoursFreeAndIsReportedForTheBillBack() {
        String ticket = edge.enterAndPass("VAL1").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(3).plusMinutes(30));
        String v = validation(ticket, "cinema");

        JsonNode plain = edge.get("/quote?ticket=" + ticket).body();
        assertThat(plain.get("amount").asLong(), is(1200L));
        assertThat(line(plain.get("lineItems"), "VALIDATION").get("applied").asBoolean(), is(false));

        JsonNode quoted = edge.get("/quote?ticket=" + ticket + "&validation=" + v).body();
        assertThat("3 h 30 min less 3 h is 30 min: one started hour", quoted.get("amount").asLong(), is(300L));
        assertThat(line(quoted.get("lineItems"), "VALIDATION").get("amount").asLong(), is(-900L));
        assertThat(line(quoted.get("lineItems"), "PERMIT").get("applied").asBoolean(), is(false));
        assertThat(sum(quoted.get("lineItems")), is(300L));

        Response out = exit(ticket, v, null);
        assertThat(out.toString(), out.status(), is(200));
        assertThat(out.body().at("/fee/amount").asLong(), is(300L));
        assertThat(sum(out.body().get("lineItems")), is(300L));
        SessionClosed closed = closes().getLast();
        assertThat(closed.feeAmount(), is(300L));
        assertThat(closed.discounts().size(), is(1));
        assertThat(closed.discounts().getFirst().reference(), is("cinema"));
        assertThat(closed.discounts().getFirst().department(), is("box-office"));
        assertThat(closed.discounts().getFirst().amount(), is(900L));
        edge.pass("out-1");
    }

    @Test
    void aStayShorterThanTheValidatedTimeIsFree() {
        String ticket = edge.enterAndPass("VAL2").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(2).plusMinutes(50));
        Response out = exit(ticket, validation(ticket, "cinema"), null);
        assertThat(out.toString(), out.body().at("/fee/amount").asLong(), is(0L));
        assertThat(out.body().at("/payment/status").asText(), is("NOT_REQUIRED"));
        edge.pass("out-1");
    }

    @Test
    void aValidationIsRefusedByNameWhenTamperedForeignToTheTicketExpiredOrItsValidatorWithdrawn() {
        String ticket = edge.enterAndPass("VAL3").get("ticket").asText();
        String other = edge.enterAndPass("VAL4").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(2));
        String v = validation(ticket, "shop");

        String[] parts = v.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + (parts[2].charAt(0) == 'A' ? 'B' : 'A')
                + parts[2].substring(1);
        assertThat(edge.get("/quote?ticket=" + ticket + "&validation=" + tampered).error(), is("VALIDATION_INVALID"));
        Response forOther = edge.get("/quote?ticket=" + other + "&validation=" + v);
        assertThat(forOther.error(), is("VALIDATION_INVALID"));
        assertThat(forOther.text(), containsString("another ticket"));
        // A ticket is not a validation, even though both are signed from the same lot secret.
        assertThat(edge.get("/quote?ticket=" + ticket + "&validation=" + ticket).error(), is("VALIDATION_INVALID"));

        assertThat(edge.get("/quote?ticket=" + ticket + "&validation=" + v).body().get("amount").asLong(), is(100L));
        push(2, List.of(CINEMA), List.of());
        Response withdrawn = edge.get("/quote?ticket=" + ticket + "&validation=" + v);
        assertThat(withdrawn.error(), is("VALIDATION_INVALID"));
        assertThat(withdrawn.text(), containsString("no longer"));

        String cinema = validation(ticket, "cinema");
        edge.clock().advance(Duration.ofMinutes(241));
        Response expired = exit(ticket, cinema, null);
        assertThat(expired.status(), is(403));
        assertThat(expired.error(), is("VALIDATION_EXPIRED"));
        assertThat("a refused exit changes nothing", closes().size(), is(0));
    }

    @Test
    void aSingleUseCouponIsRefusedTheSecondTimeAndBadCouponsAreNamed() {
        String first = edge.enterAndPass("CPN1").get("ticket").asText();
        String second = edge.enterAndPass("CPN2").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(4));

        Response used = exit(first, null, "ONCE5");
        assertThat(used.toString(), used.status(), is(200));
        assertThat(used.body().at("/fee/amount").asLong(), is(700L));
        assertThat(line(used.body().get("lineItems"), "COUPON").get("amount").asLong(), is(-500L));
        edge.pass("out-1");
        assertThat(couponUses("ONCE5"), is(1));

        Response again = exit(second, null, "ONCE5");
        assertThat(again.status(), is(409));
        assertThat(again.error(), is("COUPON_USED_UP"));
        assertThat(edge.get("/quote?ticket=" + second + "&coupon=GONE").error(), is("COUPON_EXPIRED"));
        assertThat(edge.get("/quote?ticket=" + second + "&coupon=SOON").error(), is("COUPON_NOT_YET_VALID"));
        assertThat(edge.get("/quote?ticket=" + second + "&coupon=NOPE").error(), is("COUPON_UNKNOWN"));
        assertThat("two uses seen on other levels and none here leave one of three",
                edge.get("/quote?ticket=" + second + "&coupon=HOUR").body().get("amount").asLong(), is(900L));

        Response half = exit(second, null, "HALF");
        assertThat(half.body().at("/fee/amount").asLong(), is(600L));
        assertThat(closes().size(), is(2));
        edge.pass("out-1");
    }

    @Test
    void anOlderOrEqualDiscountsVersionIsIgnored() {
        assertThat(push(1, List.of(), List.of()), is(true)); // a new command id, applied once ...
        String ticket = edge.enterAndPass("VER1").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(2));
        // ... but version 1 is not newer than the stored 1: the validators stay.
        assertThat(edge.get("/quote?ticket=" + ticket + "&validation=" + validation(ticket, "shop")).body()
                .get("amount").asLong(), is(100L));
    }
}
