package org.openparking.edge.tariff;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Json;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/** Issue 19's tariff rules: early bird, calendar-day or rolling daily maximum, surcharges, explained line by line. */
class RateRulesTest {
    private static final ZoneId ZURICH = ZoneId.of("Europe/Zurich");
    private static final Tariff.EarlyBird EARLY = new Tariff.EarlyBird(LocalTime.of(6, 0), LocalTime.of(9, 0), null,
            LocalTime.of(19, 0), 1200);
    /** 3.00 per hour, at most 24.00 per calendar day in Zurich, early bird 12.00, EV surcharge 5.00. */
    private static final Tariff CITY = new Tariff(7, "CHF", 10, 60, 300, 2400, 5000, Tariff.DailyMaximum.CALENDAR_DAY,
            "Europe/Zurich", EARLY, List.of(new Tariff.Surcharge(VehicleType.EV, 500, "EV charging")));

    private static Instant at(String date, int hour, int minute) {
        return LocalDate.parse(date).atTime(hour, minute).atZone(ZURICH).toInstant();
    }

    private static LineItem line(Explanation e, String kind) {
        return e.lines().stream().filter(l -> l.kind().equals(kind)).findFirst().orElseThrow();
    }

    private static long sum(Explanation e) {
        return e.lines().stream().mapToLong(LineItem::amount).sum();
    }

    @Test
    void theEarlyBirdAppliesOnlyWhenEveryConditionHolds() {
        Explanation early = TariffCalculator.explain(CITY, at("2026-12-01", 7, 30), at("2026-12-01", 17, 0), null);
        assertThat(early.fee(), is(1200L));
        assertThat(line(early, "EARLY_BIRD").applied(), is(true));
        assertThat(line(early, "EARLY_BIRD").amount(), is(1200L - 2400L));
        assertThat(line(early, "DAILY_CAP").applied(), is(true));

        Explanation late = TariffCalculator.explain(CITY, at("2026-12-01", 9, 30), at("2026-12-01", 17, 0), null);
        assertThat(line(late, "EARLY_BIRD").applied(), is(false));
        assertThat(line(late, "EARLY_BIRD").detail(), containsString("outside 06:00-09:00"));
        assertThat(late.fee(), is(2400L));

        Explanation stayedLate = TariffCalculator.explain(CITY, at("2026-12-01", 7, 30), at("2026-12-01", 19, 30), null);
        assertThat(line(stayedLate, "EARLY_BIRD").applied(), is(false));
        assertThat(line(stayedLate, "EARLY_BIRD").detail(), containsString("after 19:00"));

        Explanation overnight = TariffCalculator.explain(CITY, at("2026-12-01", 7, 30), at("2026-12-02", 8, 0), null);
        assertThat(line(overnight, "EARLY_BIRD").detail(), containsString("not on the day of entry"));

        Explanation cheaper = TariffCalculator.explain(CITY, at("2026-12-01", 7, 30), at("2026-12-01", 9, 30), null);
        assertThat("two hours cost 6.00, under the early-bird price", cheaper.fee(), is(600L));
        assertThat(line(cheaper, "EARLY_BIRD").applied(), is(false));
    }

    @Test
    void anExitWindowWithAStartIsPartOfAllConditions() {
        Tariff t = new Tariff(1, "EUR", 0, 60, 300, 0, 0, null, "Europe/Zurich",
                new Tariff.EarlyBird(LocalTime.of(6, 0), LocalTime.of(9, 0), LocalTime.of(15, 0), LocalTime.of(19, 0),
                        1000), null);
        assertThat(TariffCalculator.fee(t, at("2026-12-01", 8, 0), at("2026-12-01", 14, 0)), is(1800L));
        assertThat(TariffCalculator.fee(t, at("2026-12-01", 8, 0), at("2026-12-01", 16, 0)), is(1000L));
    }

    @Test
    void theCalendarDayCapCountsEachLocalDayOnItsOwn() {
        // 22:00 to 10:00 next day: 2 h on 1 December (6.00), 10 h on 2 December (30.00, capped at 24.00).
        Explanation e = TariffCalculator.explain(CITY, at("2026-12-01", 22, 0), at("2026-12-02", 10, 0), null);
        assertThat(e.fee(), is(600L + 2400L));
        assertThat(line(e, "PERIODS").amount(), is(12 * 300L));
        assertThat(line(e, "DAILY_CAP").amount(), is(-600L));
        assertThat(line(e, "DAILY_CAP").detail(), containsString("1 of 2 day(s)"));
        // The same stay under the rolling rule is one started 24 h: capped once at 24.00.
        Tariff rolling = new Tariff(7, "CHF", 10, 60, 300, 2400, 5000);
        assertThat(TariffCalculator.fee(rolling, at("2026-12-01", 22, 0), at("2026-12-02", 10, 0)), is(2400L));
    }

    @Test
    void aSurchargeIsAddedForItsSpaceTypeOnly() {
        Explanation ev = TariffCalculator.explain(CITY, at("2026-12-01", 10, 0), at("2026-12-01", 11, 0),
                VehicleType.EV);
        assertThat(ev.fee(), is(300L + 500L));
        assertThat(line(ev, "SURCHARGE").detail(), containsString("EV charging"));
        Explanation standard = TariffCalculator.explain(CITY, at("2026-12-01", 10, 0), at("2026-12-01", 11, 0),
                VehicleType.STANDARD);
        assertThat(standard.fee(), is(300L));
        assertThat(line(standard, "SURCHARGE").applied(), is(false));
        Explanation grace = TariffCalculator.explain(CITY, at("2026-12-01", 10, 0), at("2026-12-01", 10, 5),
                VehicleType.EV);
        assertThat("a stay within the grace period is free, surcharge included", grace.fee(), is(0L));
    }

    @Test
    void aTariffWrittenBeforeTheRulesReadsAsBeforeAndTheNewOneRoundTrips() throws Exception {
        Tariff old = Json.mapper().readValue("""
                {"version":3,"currency":"EUR","graceMinutes":15,"periodMinutes":60,"pricePerPeriod":300,
                 "dailyCap":2400,"lostTicketFee":5000}""", Tariff.class);
        assertThat(old, is(new Tariff(3, "EUR", 15, 60, 300, 2400, 5000)));
        assertThat(old.hasRules(), is(false));
        assertThat(old.dayRule(), is(Tariff.DailyMaximum.ROLLING_24H));
        Tariff back = Json.mapper().readValue(Json.mapper().writeValueAsString(CITY), Tariff.class);
        assertThat(back, is(CITY));
    }

    // ---------------------------------------------------------------- properties

    @Property(tries = 1500)
    void theLinesSumToTheFeeWhichIsNeverNegative(@ForAll("ruledTariffs") Tariff t, @ForAll("entries") Instant entry,
                                                 @ForAll @LongRange(min = 0, max = 20 * 86_400) long seconds,
                                                 @ForAll("spaces") VehicleType space) {
        Explanation e = TariffCalculator.explain(t, entry, entry.plusSeconds(seconds), space);
        assertThat(e.fee(), greaterThanOrEqualTo(0L));
        assertThat(sum(e), is(e.fee()));
        e.lines().stream().filter(l -> !l.applied()).forEach(l -> assertThat(l.amount(), is(0L)));
    }

    @Property(tries = 1500)
    void theFeeNeverExceedsTheCapPerDayPlusTheSurcharge(@ForAll("ruledTariffs") Tariff t,
                                                        @ForAll("entries") Instant entry,
                                                        @ForAll @LongRange(min = 0, max = 20 * 86_400) long seconds,
                                                        @ForAll("spaces") VehicleType space) {
        net.jqwik.api.Assume.that(t.dailyCap() > 0);
        Instant exit = entry.plusSeconds(seconds);
        long days = t.dayRule() == Tariff.DailyMaximum.CALENDAR_DAY
                ? java.time.temporal.ChronoUnit.DAYS.between(entry.atZone(t.zone()).toLocalDate(),
                exit.atZone(t.zone()).toLocalDate()) + 1
                : Math.max(1, Math.ceilDiv(seconds, 86_400));
        long surcharge = t.surcharges().stream().filter(s -> s.spaceType() == space)
                .mapToLong(Tariff.Surcharge::amount).sum();
        assertThat(TariffCalculator.explain(t, entry, exit, space).fee(),
                lessThanOrEqualTo(days * t.dailyCap() + surcharge));
    }

    @Property(tries = 1500)
    void withoutAnExitWindowStartTheFeeNeverDecreasesWithTime(@ForAll("ruledTariffs") Tariff t,
                                                              @ForAll("entries") Instant entry,
                                                              @ForAll @LongRange(min = 0, max = 10 * 86_400) long seconds,
                                                              @ForAll @LongRange(min = 0, max = 86_400) long more,
                                                              @ForAll("spaces") VehicleType space) {
        net.jqwik.api.Assume.that(t.earlyBird() == null || t.earlyBird().exitFrom() == null);
        long earlier = TariffCalculator.explain(t, entry, entry.plusSeconds(seconds), space).fee();
        long later = TariffCalculator.explain(t, entry, entry.plusSeconds(seconds + more), space).fee();
        assertThat(later, greaterThanOrEqualTo(earlier));
    }

    @Provide
    Arbitrary<Instant> entries() {
        return Arbitraries.longs().between(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("2027-12-31T00:00:00Z").getEpochSecond()).map(Instant::ofEpochSecond);
    }

    @Provide
    Arbitrary<VehicleType> spaces() {
        return Arbitraries.of(VehicleType.class).injectNull(0.2);
    }

    @Provide
    Arbitrary<Tariff> ruledTariffs() {
        Arbitrary<LocalTime> times = Arbitraries.integers().between(0, 23 * 60).map(m -> LocalTime.of(m / 60, m % 60));
        Arbitrary<Tariff.EarlyBird> early = Combinators.combine(times, Arbitraries.integers().between(1, 300), times,
                        Arbitraries.integers().between(0, 600), Arbitraries.longs().between(0, 5000),
                        Arbitraries.of(true, false))
                .as((from, len, exitFrom, exitLen, price, withStart) -> {
                    LocalTime until = from.plusMinutes(len).isBefore(from) ? LocalTime.MAX : from.plusMinutes(len);
                    LocalTime exitUntil = exitFrom.plusMinutes(exitLen).isBefore(exitFrom) ? LocalTime.MAX
                            : exitFrom.plusMinutes(exitLen);
                    return new Tariff.EarlyBird(from, until, withStart ? exitFrom : null, exitUntil, price);
                }).injectNull(0.3);
        Arbitrary<List<Tariff.Surcharge>> surcharges = Arbitraries.longs().between(0, 2000)
                .map(a -> List.of(new Tariff.Surcharge(VehicleType.EV, a, null))).injectNull(0.5);
        return Combinators.combine(Arbitraries.integers().between(0, 120), Arbitraries.integers().between(1, 24 * 60),
                        Arbitraries.longs().between(0, 10_000), Arbitraries.longs().between(0, 100_000),
                        Arbitraries.of(Tariff.DailyMaximum.values()).injectNull(0.2),
                        Arbitraries.of("Europe/Zurich", "America/New_York", "Australia/Lord_Howe").injectNull(0.3),
                        early, surcharges)
                .as((grace, period, price, cap, rule, zone, eb, sur) ->
                        new Tariff(1, "EUR", grace, period, price, cap, 0, rule, zone, eb, sur));
    }
}
