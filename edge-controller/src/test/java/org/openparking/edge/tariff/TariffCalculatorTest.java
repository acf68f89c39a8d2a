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

    /** Any valid tariff, amounts up to the bound, and any stay up to ten years: never negative, never above the rule. */
    @Property(tries = 3000)
    void anyValidTariffOverTenYearsGivesABoundedNonNegativeFee(@ForAll("anyTariffs") Tariff t,
            @ForAll @LongRange(min = 0, max = 10 * 366 * 86_400L) long seconds) {
        long fee = feeAfter(t, Duration.ofSeconds(seconds));
        long periods = (seconds + t.periodMinutes() * 60L - 1) / (t.periodMinutes() * 60L);
        long bound = t.dailyCap() == 0 ? periods * t.pricePerPeriod()
                : Math.max(1, (seconds + 86_399) / 86_400) * t.dailyCap();
        assertThat(fee, greaterThanOrEqualTo(0L));
        assertThat(fee, lessThanOrEqualTo(bound));
        long lost = TariffCalculator.lostTicketFee(t, ENTRY, ENTRY.plus(Duration.ofSeconds(seconds)));
        assertThat(lost, greaterThanOrEqualTo(t.lostTicketFee()));
        assertThat(lost, lessThanOrEqualTo(Math.max(bound, t.lostTicketFee())));
    }

    @Test
    void aStayTooLongForALongFeeSaturatesInsteadOfTurningNegative() {
        Tariff dear = new Tariff(1, "EUR", 0, 1, Tariff.MAX_AMOUNT, 0, Tariff.MAX_AMOUNT);
        assertThat(TariffCalculator.fee(dear, Instant.EPOCH, Instant.MAX), is(Long.MAX_VALUE));
        Tariff capped = new Tariff(1, "EUR", 0, 1, Tariff.MAX_AMOUNT, Tariff.MAX_AMOUNT, 0);
        assertThat(TariffCalculator.fee(capped, Instant.MIN, Instant.MAX), is(Long.MAX_VALUE));
    }

    @Provide
    Arbitrary<Tariff> anyTariffs() {
        Arbitrary<Long> amounts = Arbitraries.oneOf(Arbitraries.longs().between(0, Tariff.MAX_AMOUNT),
                Arbitraries.of(0L, 1L, Tariff.MAX_AMOUNT));
        return Combinators.combine(Arbitraries.integers().between(0, 7 * 24 * 60),
                        Arbitraries.oneOf(Arbitraries.integers().between(1, 24 * 60), Arbitraries.of(1)),
                        amounts, amounts, amounts)
                .as((grace, period, price, cap, lost) -> new Tariff(1, "EUR", grace, period, price, cap, lost));
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
