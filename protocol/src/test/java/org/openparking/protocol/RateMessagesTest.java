package org.openparking.protocol;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 19's messages on the wire: they round-trip, the additions read as absent from older JSON, bad ones fail. */
class RateMessagesTest {
    private static final Instant T = Instant.parse("2026-12-01T10:15:30Z");

    private static Envelope envelope(Message payload) {
        return Envelope.of("lot1.L0", "lot1", "L0", 7, T, payload);
    }

    @Test
    void discountsAndTheRicherTariffAndCloseRoundTrip() throws Exception {
        Tariff tariff = new Tariff(3, "CHF", 10, 60, 300, 2400, 5000, Tariff.DailyMaximum.CALENDAR_DAY,
                "Europe/Zurich", new Tariff.EarlyBird(LocalTime.of(6, 0), LocalTime.of(9, 0), null,
                LocalTime.of(19, 0), 1200), List.of(new Tariff.Surcharge(VehicleType.EV, 500, "EV")));
        for (Message m : List.<Message>of(new UpdateTariff(tariff),
                new UpdateDiscounts(4, List.of(new UpdateDiscounts.Validator("cinema", "Cinema", "box-office",
                        UpdateDiscounts.Kind.TIME_OFF, 180, 240)),
                        List.of(new UpdateDiscounts.Coupon("ONCE", UpdateDiscounts.Kind.PERCENT_OFF, 50, 1, null, T, 2))),
                new SessionClosed("s1", "out-1", T, T.plusSeconds(60), 0, "EUR", PaymentStatus.NOT_REQUIRED, null, 1,
                        false, List.of(new AppliedDiscount("COUPON", "ONCE", null, 300))))) {
            Envelope e = envelope(m);
            assertThat(m.type(), MessageCodec.decode(MessageCodec.encode(e)), is(e));
        }
        assertThat(new UpdateDiscounts(1, List.of(), List.of()).type(), is("command.discounts"));
    }

    @Test
    void aCloseFromAnOlderEdgeHasNoDiscounts() throws Exception {
        String json = MessageCodec.encodeToString(envelope(new SessionClosed("s1", "out-1", T, T.plusSeconds(60), 300,
                "EUR", PaymentStatus.PAID, "p1", 1, false))).replace(",\"discounts\":[]", "");
        assertThat(json.contains("discounts"), is(false));
        SessionClosed back = (SessionClosed) MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8)).payload();
        assertThat(back.discounts(), is(empty()));
    }

    @Test
    void badDiscountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new UpdateDiscounts.Coupon("X", UpdateDiscounts.Kind.REPLACE_PRICE,
                0, 1, null, null, 0));
        assertThrows(IllegalArgumentException.class, () -> new UpdateDiscounts.Coupon("X", UpdateDiscounts.Kind.PERCENT_OFF,
                101, 1, null, null, 0));
        assertThrows(IllegalArgumentException.class, () -> new UpdateDiscounts.Coupon("A|B", UpdateDiscounts.Kind.AMOUNT_OFF,
                1, 1, null, null, 0));
        assertThrows(IllegalArgumentException.class, () -> new UpdateDiscounts.Coupon("X", UpdateDiscounts.Kind.AMOUNT_OFF,
                1, 1, T, T, 0));
        assertThrows(IllegalArgumentException.class, () -> new UpdateDiscounts.Validator("v", "n", "a|b",
                UpdateDiscounts.Kind.TIME_OFF, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Tariff(1, "EUR", 0, 60, 1, 0, 0, null, "Mars/Olympus",
                null, null));
        assertThrows(IllegalArgumentException.class, () -> new Tariff(1, "EUR", 0, 60, 1, 0, 0, null, null, null,
                List.of(new Tariff.Surcharge(VehicleType.EV, 1, null), new Tariff.Surcharge(VehicleType.EV, 2, null))));
        String negative = MessageCodec.encodeToString(envelope(new UpdateDiscounts(2, List.of(), List.of(
                new UpdateDiscounts.Coupon("C", UpdateDiscounts.Kind.AMOUNT_OFF, 5, 1, null, null, 0)))))
                .replace("\"value\":5", "\"value\":-5");
        assertThrows(ProtocolException.class, () -> MessageCodec.decode(negative.getBytes(StandardCharsets.UTF_8)));
    }
}
