package org.openparking.protocol;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
    private static final Instant T = Instant.parse("2026-11-25T10:15:30Z");

    private static Envelope envelope(Message payload) {
        return Envelope.of("lot1.L0", "lot1", "L0", 7, T, payload);
    }

    @Test
    void everyMessageTypeRoundTrips() throws Exception {
        Tariff tariff = new Tariff(2, "EUR", 10, 60, 250, 2000, 5000);
        List<Message> all = List.of(
                new SessionOpened("s1", "in-1", "AB-123", VehicleType.EV, T, 1),
                new SessionClosed("s1", "out-1", T, T.plusSeconds(3600), 250, "EUR", PaymentStatus.PAID, "p1", 1, false),
                new AvailabilityChanged(10, 3, 7, Map.of(VehicleType.STANDARD,
                        new AvailabilityChanged.TypeCount(10, 7)), "OPEN", 4, T),
                new LaneChanged("in-1", "OPEN", 3, T),
                new DriftRecorded(VehicleType.STANDARD, "CLAMPED_LOW", 0, -1),
                new CommandApplied("c1", MessageType.UPDATE_TARIFF, true, "version 2"),
                new EdgeStatus("0.1.0", "ONLINE", 3, 12),
                new PaymentRequested("p1", "s1", 250, "EUR", "pm_card_visa", false, null),
                new PaymentResult("p1", "s1", PaymentResult.Outcome.PAID, 250, "EUR", "pi_1", null, null, false),
                new RefundRequested("r1", "p1", "s1", "pi_1", 250, "EUR", "barrier fault", "alice"),
                new RefundResult("r1", "p1", "s1", "REFUNDED", 250, "EUR", "re_1", null),
                new UpdateTariff(tariff),
                new SetLevelStatus(true, "cleaning", "bob"),
                new OpenBarrier("out-1", "stuck car", "bob"),
                new UpdateAllowList(3, List.of("STAFF-1")),
                new TrustOperatorKey("{\"kty\":\"EC\"}"),
                new CloseSessionElsewhere("s1", T.plusSeconds(3600), "lot1.L0", "L0"),
                new UpdateLaneRules(4, T,
                        List.of(new UpdateLaneRules.Permit("p1", "AB-123", null, T, T.plusSeconds(86_400),
                                UpdateLaneRules.Window.SOFT, List.of("L0"), "acme", false)),
                        List.of(new UpdateLaneRules.Pool("acme", 2, Map.of("L0", 1, "L1", 1))),
                        List.of(new UpdateLaneRules.Reservation("r1", null, "QR-77", T, T.plusSeconds(7200), "L0",
                                true)),
                        List.of(new UpdateLaneRules.Account("XY-9", "pm_card_visa"))),
                new PoolCounts(3, 4, Map.of("acme", 1)));
        for (Message m : all) {
            Envelope e = envelope(m);
            Envelope back = MessageCodec.decode(MessageCodec.encode(e));
            assertThat(m.type(), back, is(e));
        }
    }

    @Test
    void laneRulesRefuseWhatAGateCouldNotDecideOn() {
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules(0, T, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Permit("p1", null, " ", null, null,
                null, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Permit("p1", null,
                "4111 1111 1111 1111", null, null, null, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Account("XY9", "4111111111111111"));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Reservation("r1", "AB1", null, T, T,
                null, false));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Pool("acme", 2, Map.of("L0", -1)));
        assertThat(new UpdateLaneRules.Pool("acme", 3, Map.of("L0", 1)).shareOf("L1"), is(3));
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String json = MessageCodec.encodeToString(envelope(new LaneChanged("in-1", "OPEN", 1, T)))
                .replace("\"laneId\"", "\"addedLater\":42,\"laneId\"");
        Envelope back = MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(((LaneChanged) back.payload()).laneId(), is("in-1"));
    }

    @Test
    void unknownTypeIsRejectedWithReason() {
        String json = MessageCodec.encodeToString(envelope(new LaneChanged("in-1", "OPEN", 1, T)))
                .replace("lane.changed", "lane.teleported");
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason(), is(ProtocolException.Reason.UNKNOWN_TYPE));
    }

    @Test
    void newerSchemaVersionIsRejected() {
        String json = MessageCodec.encodeToString(envelope(new LaneChanged("in-1", "OPEN", 1, T)))
                .replace("\"schemaVersion\":1", "\"schemaVersion\":2");
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason(), is(ProtocolException.Reason.UNSUPPORTED_SCHEMA_VERSION));
    }

    @Test
    void malformedAndInvalidPayloadsAreRejected() {
        ProtocolException bad = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode("{not json".getBytes(StandardCharsets.UTF_8)));
        assertThat(bad.reason(), is(ProtocolException.Reason.MALFORMED_JSON));

        String negative = MessageCodec.encodeToString(envelope(
                new PaymentRequested("p1", "s1", 250, "EUR", "pm", false, null))).replace("\"amount\":250", "\"amount\":-5");
        ProtocolException invalid = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode(negative.getBytes(StandardCharsets.UTF_8)));
        assertThat(invalid.reason(), is(ProtocolException.Reason.INVALID_PAYLOAD));
        assertThat(invalid.getMessage(), containsString("amount must be positive"));
    }

    @Test
    void paymentTokenStaysOutOfToString() {
        PaymentRequested p = new PaymentRequested("p1", "s1", 250, "EUR", "pm_secret_token", false, null);
        assertThat(p.toString().contains("pm_secret_token"), is(false));
    }
}
