package org.openparking.edge.rules;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.ReservationCodes;
import org.openparking.protocol.ReservationCodes.Claims;
import org.openparking.protocol.UpdateLaneRules;
import org.openparking.protocol.UpdateLaneRules.Reservation;
import org.openparking.protocol.UpdateLaneRules.ReservationKey;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp.Response;

/**
 * Signed reservation codes at a real edge (SQLite, HTTP, simulated lanes) with no cloud: the edge holds only the
 * lot's public key from an earlier snapshot, and decides a code it has never seen listed on its signature, lot,
 * level and window. The codes are signed here with {@link ReservationCodes}, the class the cloud signs with.
 */
class SignedReservationTest {
    private final KeyPair key = ReservationCodes.newKeyPair();
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

    /** A snapshot carrying the lot's public key (and whatever reservations it lists). */
    private void push(long version, List<Reservation> reservations, List<ReservationKey> keys) {
        edge.app().commands().apply(Envelope.of("lot-t.L0", "lot-t", "L0", seq++, now(),
                new UpdateLaneRules(version, now(), List.of(), List.of(), reservations, List.of(), keys)));
    }

    private ReservationKey publicKey(String keyId, KeyPair pair) {
        return new ReservationKey(keyId, ReservationCodes.encodePublic(pair.getPublic()));
    }

    private String code(String keyId, KeyPair pair, String lot, String id, Instant from, Instant until, String level,
                        boolean prepaid) {
        return ReservationCodes.sign(new Claims(keyId, lot, id, from, until, level, prepaid), pair.getPrivate());
    }

    private Response enter(String code) {
        return edge.post("/lanes/in-1/entries", "{\"reservationCode\":\"" + code + "\"}");
    }

    private void refused(String code, String reason, String because) {
        Response r = enter(code);
        assertThat(r.toString(), r.status(), is(403));
        assertThat(r.toString(), r.body().path("error").asText(), is(reason));
        assertThat(r.toString(), r.body().path("message").asText(), containsString(because));
    }

    @Test
    void aCodeNoSnapshotListsIsAdmittedOnItsSignatureAndUsedOnce() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 5));
        Instant t = now();
        push(1, List.of(), List.of(publicKey("k1", key)));
        String prepaid = code("k1", key, "lot-t", "r-new", t.minusSeconds(60), t.plusSeconds(3600), "L0", true);

        Response in = enter(prepaid);
        assertThat(in.toString(), in.status(), is(201));
        String ticket = in.body().path("ticket").asText();
        edge.pass("in-1");
        refused(prepaid, "RESERVATION_INVALID", "already been used");

        edge.clock().advance(Duration.ofHours(2));
        Response out = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
        assertThat(out.toString(), out.status(), is(200));
        assertThat("the signed prepaid flag leaves with no fee", out.body().at("/fee/amount").asLong(), is(0L));
    }

    @Test
    void forgedAlteredForeignAndOutOfWindowCodesAreRefusedByName() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 5));
        Instant t = now();
        push(1, List.of(), List.of(publicKey("k1", key)));
        Instant from = t.minusSeconds(60);
        Instant until = t.plusSeconds(3600);

        // Signed by a key the lot never had, under the lot's key id: a forgery.
        refused(code("k1", ReservationCodes.newKeyPair(), "lot-t", "r1", from, until, null, false),
                "RESERVATION_INVALID", "signature does not match");
        refused(code("k9", ReservationCodes.newKeyPair(), "lot-t", "r1", from, until, null, false),
                "RESERVATION_INVALID", "does not hold");
        // A genuine code with its payload changed (prepaid flipped): the signature no longer covers it.
        String genuine = code("k1", key, "lot-t", "r1", from, until, null, false);
        String[] parts = genuine.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String altered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.replaceAll("\\|0$", "|1").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(altered.equals(genuine), is(false));
        refused(altered, "RESERVATION_INVALID", "signature does not match");
        refused("R1.bm9wZQ.AAAA", "RESERVATION_INVALID", "malformed");
        // Genuinely signed, but for another lot, another level, or outside its window.
        refused(code("k1", key, "lot-other", "r2", from, until, null, false), "RESERVATION_INVALID", "lot-other");
        refused(code("k1", key, "lot-t", "r3", from, until, "L7", false), "RESERVATION_INVALID", "level L7");
        refused(code("k1", key, "lot-t", "r4", t.minusSeconds(7200), t.minusSeconds(1), null, false),
                "RESERVATION_EXPIRED", "ended");
        refused(code("k1", key, "lot-t", "r5", t.plusSeconds(600), t.plusSeconds(7200), null, false),
                "RESERVATION_NOT_YET_VALID", "starts");
        assertThat("nothing refused took a space", edge.free(), is(5L));

        assertThat(enter(genuine).status(), is(201));
        edge.pass("in-1");
        assertThat(edge.free(), is(4L));
    }

    @Test
    void theSnapshotStillHoldsCapacityAndACodeItListsDifferentlyIsRefused() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2));
        Instant t = now();
        String listed = code("k1", key, "lot-t", "r1", t.minusSeconds(60), t.plusSeconds(3600), null, false);
        String superseded = code("k1", key, "lot-t", "r1", t.minusSeconds(60), t.plusSeconds(99_000), null, false);
        push(1, List.of(new Reservation("r1", null, listed, t.minusSeconds(60), t.plusSeconds(3600), null, false)),
                List.of(publicKey("k1", key)));
        assertThat(edge.post("/lanes/in-1/entries", "{\"plate\":\"WALK-1\"}").status(), is(201));
        edge.pass("in-1");
        Response walkIn = edge.post("/lanes/in-1/entries", "{\"plate\":\"WALK-2\"}");
        assertThat("the last space is held for r1", walkIn.body().path("error").asText(), is("HELD_FOR_RESERVATIONS"));
        refused(superseded, "RESERVATION_INVALID", "changed since");
        assertThat(enter(listed).status(), is(201));
        edge.pass("in-1");
    }

    @Test
    void aKeyTheCloudStopsPushingIsNoLongerTrusted() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 5));
        Instant t = now();
        KeyPair next = ReservationCodes.newKeyPair();
        push(1, List.of(), List.of(publicKey("k1", key), publicKey("k2", next)));
        String old = code("k1", key, "lot-t", "r1", t.minusSeconds(60), t.plusSeconds(3600), null, false);
        String fresh = code("k2", next, "lot-t", "r2", t.minusSeconds(60), t.plusSeconds(3600), null, false);
        push(2, List.of(), List.of(publicKey("k2", next)));
        refused(old, "RESERVATION_INVALID", "does not hold");
        assertThat(enter(fresh).status(), is(201));
    }
}
