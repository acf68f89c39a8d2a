package org.openparking.edge.tariff;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
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
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Tariff;

class TariffCalculatorTest {
    private static final Instant ENTRY = Instant.parse("2026-11-25T08:00:00Z");
    private static final Tariff EUR = new Tariff(1, "EUR", 15, 60, 300, 2400, 5000);

    private static long feeAfter(Tariff t, Duration d) {
        return TariffCalculator.fee(t, ENTRY, ENTRY.plus(d));
    }

    @Test
    void staysWithinTheGracePeriodAreFree() {
        assertThat(feeAfter(EUR, Duration.ZERO), is(0L));
        assertThat(feeAfter(EUR, Duration.ofMinutes(15)), is(0L));
    }

    @Test
    void everyStartedPeriodIsBilledFromEntry() {
        assertThat(feeAfter(EUR, Duration.ofMinutes(15).plusSeconds(1)), is(300L));
        assertThat(feeAfter(EUR, Duration.ofMinutes(60)), is(300L));
        assertThat(feeAfter(EUR, Duration.ofMinutes(61)), is(600L));
    }

    @Test
    void theDailyCapLimitsEachStartedDay() {
        assertThat(feeAfter(EUR, Duration.ofHours(8)), is(2400L));
        assertThat(feeAfter(EUR, Duration.ofHours(23)), is(2400L));
        assertThat(feeAfter(EUR, Duration.ofHours(25)), is(2700L));
        assertThat(feeAfter(EUR, Duration.ofDays(3)), is(7200L));
    }

    @Test
    void withoutACapEveryPeriodIsBilled() {
        Tariff uncapped = new Tariff(1, "EUR", 0, 30, 100, 0, 0);
        assertThat(feeAfter(uncapped, Duration.ofHours(30)), is(6000L));
    }

    @Test
    void aLostTicketCostsAtLeastTheLostTicketFee() {
        assertThat(TariffCalculator.lostTicketFee(EUR, null, ENTRY), is(5000L));
        assertThat(TariffCalculator.lostTicketFee(EUR, ENTRY, ENTRY.plus(Duration.ofDays(3))), is(7200L));
    }

    @Test
    void anExitBeforeTheEntryCostsNothing() {
        assertThat(TariffCalculator.fee(EUR, ENTRY, ENTRY.minusSeconds(60)), is(0L));
    }

    @Property(tries = 2000)
    void theFeeNeverDecreasesWithTime(@ForAll("tariffs") Tariff t,
                                      @ForAll @LongRange(min = 0, max = 10 * 86_400) long seconds,
                                      @ForAll @LongRange(min = 0, max = 86_400) long more) {
        long earlier = feeAfter(t, Duration.ofSeconds(seconds));
        long later = feeAfter(t, Duration.ofSeconds(seconds + more));
        assertThat(later, greaterThanOrEqualTo(earlier));
    }

    @Property(tries = 2000)
    void theFeeNeverExceedsTheCapPerStartedDay(@ForAll("cappedTariffs") Tariff t,
                                               @ForAll @LongRange(min = 0, max = 30 * 86_400) long seconds) {
        long startedDays = Math.max(1, (seconds + 86_399) / 86_400);
        assertThat(feeAfter(t, Duration.ofSeconds(seconds)), lessThanOrEqualTo(startedDays * t.dailyCap()));
    }

    @Provide
    Arbitrary<Tariff> tariffs() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 120),
                Arbitraries.integers().between(1, 24 * 60),
                Arbitraries.longs().between(0, 10_000),
                Arbitraries.longs().between(0, 100_000))
                .as((grace, period, price, cap) -> new Tariff(1, "EUR", grace, period, price, cap, 0));
    }

    @Provide
    Arbitrary<Tariff> cappedTariffs() {
        return tariffs().filter(t -> t.dailyCap() > 0);
    }
}
