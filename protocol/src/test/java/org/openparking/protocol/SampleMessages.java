package org.openparking.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One valid message of every type, addressed to one level: what the codec's round trip and its hostile-input
 * property start from. Every optional field is set in {@link #everyType()} (a hostile body is made by
 * changing fields, so a field left null would go untested); {@link #withNulls()} has them null.
 */
final class SampleMessages {
    static final Instant T = Instant.parse("2026-11-25T10:15:30Z");

    private SampleMessages() {
    }

    static Envelope envelope(Message payload) {
        return Envelope.of("lot1.L0", "lot1", "L0", 7, T, payload);
    }

    static List<Message> everyType() {
        Tariff tariff = new Tariff(2, "EUR", 10, 60, 250, 2000, 5000);
        return List.of(
                new SessionOpened("s1", "in-1", "AB-123", VehicleType.EV, T, 1),
                new SessionClosed("s1", "out-1", T, T.plusSeconds(3600), 250, "EUR", PaymentStatus.PAID, "p1", 1, false),
                new AvailabilityChanged(10, 3, 7, Map.of(VehicleType.STANDARD,
                        new AvailabilityChanged.TypeCount(10, 7)), "OPEN", 4, T),
                new LaneChanged("in-1", "OPEN", 3, T),
                new DriftRecorded(VehicleType.STANDARD, "CLAMPED_LOW", 0, -1),
                new CommandApplied("c1", MessageType.UPDATE_TARIFF, true, "version 2"),
                new EdgeStatus("0.1.0", "ONLINE", 3, 12),
                new PaymentRequested("p1", "s1", 250, "EUR", "pm_card_visa", false, "AB123"),
                new PaymentResult("p1", "s1", PaymentResult.Outcome.DECLINED, 250, "EUR", "pi_1", "card_declined",
                        "Your card was declined.", false),
                new RefundRequested("r1", "p1", "s1", "pi_1", 250, "EUR", "barrier fault", "alice"),
                new RefundResult("r1", "p1", "s1", "REFUNDED", 250, "EUR", "re_1", "none"),
                new UpdateTariff(tariff),
                new SetLevelStatus(true, "cleaning", "bob"),
                new OpenBarrier("out-1", "stuck car", "bob"),
                new UpdateAllowList(3, List.of("STAFF1", "STAFF2")),
                new TrustOperatorKey("{\"kty\":\"EC\"}"),
                new CloseSessionElsewhere("s1", T.plusSeconds(3600), "lot1.L0", "L0"),
                new UpdateLaneRules(4, T,
                        List.of(new UpdateLaneRules.Permit("p1", "AB-123", null, T, T.plusSeconds(86_400),
                                UpdateLaneRules.Window.SOFT, List.of("L0"), "acme", false)),
                        List.of(new UpdateLaneRules.Pool("acme", 2, Map.of("L0", 1, "L1", 1))),
                        List.of(new UpdateLaneRules.Reservation("r1", null, "QR-77", T, T.plusSeconds(7200), "L0",
                                true)),
                        List.of(new UpdateLaneRules.Account("XY-9", "pm_card_visa")),
                        List.of(new UpdateLaneRules.ReservationKey("k1",
                                ReservationCodes.encodePublic(ReservationCodes.newKeyPair().getPublic())))),
                new PoolCounts(3, 4, Map.of("acme", 1)));
    }

    /** Variants of {@link #everyType()}: optional fields null, an allow-listed plate with a dash. */
    static List<Message> withNulls() {
        return List.of(
                new PaymentRequested("p1", "s1", 250, "EUR", "pm_card_visa", false, null),
                new PaymentResult("p1", "s1", PaymentResult.Outcome.PAID, 250, "EUR", "pi_1", null, null, false),
                new RefundResult("r1", "p1", "s1", "REFUNDED", 250, "EUR", "re_1", null),
                new UpdateAllowList(3, List.of("STAFF-1")));
    }

    /** {@link #everyType()} as the codec writes them. */
    static List<String> everyTypeEncoded() {
        return everyType().stream().map(m -> MessageCodec.encodeToString(envelope(m))).toList();
    }
}
