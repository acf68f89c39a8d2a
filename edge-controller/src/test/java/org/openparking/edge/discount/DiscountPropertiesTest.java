package org.openparking.edge.discount;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.openparking.edge.tariff.TariffCalculator;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.UpdateDiscounts.Kind;
import org.openparking.protocol.VehicleType;

/** Validations and coupons never raise a fee and never make it negative, whatever the tariff and discount. */
class DiscountPropertiesTest {
    private static final Instant ENTRY = Instant.parse("2026-12-01T07:10:00Z");

    @Property(tries = 2000)
    void aDiscountTakesOffBetweenNothingAndTheWholeFee(@ForAll("tariffs") Tariff t,
                                                       @ForAll @LongRange(min = 0, max = 5 * 86_400) long seconds,
                                                       @ForAll Kind kind,
                                                       @ForAll @LongRange(min = 0, max = 100_000) long rawValue,
                                                       @ForAll @LongRange(min = 0, max = 600) long shiftedMinutes) {
        long value = kind == Kind.PERCENT_OFF ? 1 + rawValue % 100 : kind == Kind.TIME_OFF ? rawValue % 5000 : rawValue;
        Instant exit = ENTRY.plusSeconds(seconds);
        Duration shifted = Duration.ofMinutes(shiftedMinutes);
        long fee = TariffCalculator.explain(t, ENTRY.plus(shifted), exit, VehicleType.EV).fee();
        long off = Discounts.off(fee, kind, value,
                shift -> TariffCalculator.explain(t, ENTRY.plus(shift), exit, VehicleType.EV), shifted);
        assertThat(off, greaterThanOrEqualTo(0L));
        assertThat(off, lessThanOrEqualTo(fee));
    }

    @Provide
    Arbitrary<Tariff> tariffs() {
        return Combinators.combine(Arbitraries.integers().between(0, 120), Arbitraries.integers().between(1, 24 * 60),
                        Arbitraries.longs().between(0, Tariff.MAX_AMOUNT), Arbitraries.longs().between(0, 100_000),
                        Arbitraries.of(Tariff.DailyMaximum.values()),
                        Arbitraries.of(true, false), Arbitraries.longs().between(0, 3000))
                .as((grace, period, price, cap, rule, early, surcharge) -> new Tariff(1, "EUR", grace, period, price,
                        cap, 0, rule, "Europe/Zurich", early ? new Tariff.EarlyBird(java.time.LocalTime.of(6, 0),
                        java.time.LocalTime.of(9, 0), java.time.LocalTime.of(12, 0), java.time.LocalTime.of(20, 0),
                        800) : null, java.util.List.of(new Tariff.Surcharge(VehicleType.EV, surcharge, null))));
    }
}
