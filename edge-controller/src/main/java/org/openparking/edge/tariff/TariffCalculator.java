package org.openparking.edge.tariff;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/**
 * Fees from a tariff, explained line by line. The order is fixed (docs/tariff.md): grace, periods, daily cap, early
 * bird, surcharge; validations and coupons follow in {@code Discounts}. A stay no longer than the grace period is
 * free; otherwise every started period is billed. The daily cap limits each day: each started 24 hours since entry
 * ({@code ROLLING_24H}, the original rule) or each calendar day in the lot's time zone ({@code CALENDAR_DAY}, a period
 * counted on the day it starts). Without an early bird whose exit window has a start, the fee never decreases with
 * time. Tariff amounts are bounded ({@link Tariff#MAX_AMOUNT}); beyond that, a stay too long for a {@code long} fee
 * (a clock decades off) saturates at {@link Long#MAX_VALUE} instead of wrapping to a negative fee.
 */
public final class TariffCalculator {
    private static final long DAY_SECONDS = Duration.ofDays(1).toSeconds();

    private TariffCalculator() {
    }

    public static long fee(Tariff tariff, Instant entry, Instant exit) {
        return explain(tariff, entry, exit, null).fee();
    }

    /** The fee of a stay on a space of {@code spaceType} (null: no surcharge applies), with its lines. */
    public static Explanation explain(Tariff tariff, Instant entry, Instant exit, VehicleType spaceType) {
        long seconds = Math.max(0, Duration.between(entry, exit).toSeconds());
        List<LineItem> lines = new ArrayList<>();
        if (seconds <= tariff.graceMinutes() * 60L) {
            lines.add(LineItem.applied("GRACE", 0, "stay of " + minutes(seconds) + " within the grace period of "
                    + tariff.graceMinutes() + " min: free"));
            return new Explanation(0, lines);
        }
        lines.add(LineItem.skipped("GRACE", "stay of " + minutes(seconds) + " is longer than the grace period of "
                + tariff.graceMinutes() + " min"));
        long periodSeconds = tariff.periodMinutes() * 60L;
        Time time = tariff.dayRule() == Tariff.DailyMaximum.CALENDAR_DAY && tariff.dailyCap() > 0
                ? calendarDays(tariff, entry, seconds) : rolling(tariff, seconds, periodSeconds);
        if (time.saturated()) {
            lines.add(LineItem.applied("PERIODS", Long.MAX_VALUE, "stay too long to bill: fee saturated"));
            return new Explanation(Long.MAX_VALUE, lines);
        }
        if (time.uncapped() == Long.MAX_VALUE) {
            // Only the capped amount fits in a long: bill that, and say so.
            lines.add(LineItem.applied("PERIODS", time.capped(), time.periods() + " started period(s) of "
                    + tariff.periodMinutes() + " min, capped at " + tariff.dailyCap() + " per " + dayName(tariff)));
        } else {
            lines.add(LineItem.applied("PERIODS", time.uncapped(), time.periods() + " started period(s) of "
                    + tariff.periodMinutes() + " min at " + tariff.pricePerPeriod()));
        }
        if (tariff.dailyCap() == 0 || time.uncapped() == Long.MAX_VALUE) {
            lines.add(LineItem.skipped("DAILY_CAP", tariff.dailyCap() == 0 ? "no daily cap" : "included above"));
        } else if (tariff.dailyCap() == 0) {
            lines.add(LineItem.skipped("DAILY_CAP", "no daily cap"));
        } else if (time.capped() < time.uncapped()) {
            lines.add(LineItem.applied("DAILY_CAP", time.capped() - time.uncapped(), "daily cap of " + tariff.dailyCap()
                    + " per " + dayName(tariff) + " applied on " + time.daysCapped() + " of " + time.days() + " day(s)"));
        } else {
            lines.add(LineItem.skipped("DAILY_CAP", "below the daily cap of " + tariff.dailyCap() + " per "
                    + dayName(tariff)));
        }
        Explanation e = new Explanation(0, List.of());
        for (LineItem l : lines) {
            e = e.plus(l);
        }
        e = e.plus(earlyBird(tariff, entry, exit, e.fee()));
        return e.plus(surcharge(tariff, spaceType));
    }

    /** The fee for an exit without a ticket: the lost-ticket fee, or the time-based fee if that is higher. */
    public static long lostTicketFee(Tariff tariff, Instant entry, Instant exit) {
        return Math.max(tariff.lostTicketFee(), entry == null ? 0 : fee(tariff, entry, exit));
    }

    private record Time(long periods, long uncapped, long capped, long days, long daysCapped, boolean saturated) {
    }

    /** Each started 24 hours since entry: periods restart at every full day, each day capped. */
    private static Time rolling(Tariff t, long seconds, long periodSeconds) {
        long price = t.pricePerPeriod();
        if (t.dailyCap() == 0) {
            long periods = Math.ceilDiv(seconds, periodSeconds);
            long fee = times(periods, price);
            return new Time(periods, fee, fee, 0, 0, fee == Long.MAX_VALUE);
        }
        long fullDays = seconds / DAY_SECONDS;
        long rest = seconds % DAY_SECONDS;
        long perDay = Math.ceilDiv(DAY_SECONDS, periodSeconds);
        long restPeriods = Math.ceilDiv(rest, periodSeconds);
        long dayFee = times(perDay, price);
        long restFee = times(restPeriods, price);
        long cappedDay = Math.min(t.dailyCap(), dayFee);
        long cappedRest = Math.min(t.dailyCap(), restFee);
        long uncapped = plus(times(fullDays, dayFee), restFee);
        long capped = plus(times(fullDays, cappedDay), cappedRest);
        long periods = plus(times(fullDays, perDay), restPeriods);
        long daysCapped = (cappedDay < dayFee ? fullDays : 0) + (cappedRest < restFee ? 1 : 0);
        return new Time(periods, uncapped, capped, fullDays + (rest > 0 ? 1 : 0), daysCapped,
                capped == Long.MAX_VALUE);
    }

    /** Each calendar day in the lot's zone: the periods starting on it, capped. */
    private static Time calendarDays(Tariff t, Instant entry, long seconds) {
        ZoneId zone = t.zone();
        long periodSeconds = t.periodMinutes() * 60L;
        long total = Math.ceilDiv(seconds, periodSeconds);
        if (total > 100L * 366 * 24 * 60) {
            // A century of minute periods: a clock far off, not a stay.
            return new Time(total, Long.MAX_VALUE, Long.MAX_VALUE, 0, 0, true);
        }
        long uncapped = 0;
        long capped = 0;
        long days = 0;
        long daysCapped = 0;
        long counted = 0;
        LocalDate day = entry.atZone(zone).toLocalDate();
        while (counted < total) {
            Instant nextMidnight = day.plusDays(1).atStartOfDay(zone).toInstant();
            // Periods i with entry + i*period < nextMidnight, i < total.
            long untilMidnight = Duration.between(entry, nextMidnight).toSeconds();
            long upTo = Math.min(total, Math.ceilDiv(untilMidnight, periodSeconds));
            long n = upTo - counted;
            if (n > 0) {
                long dayFee = n * t.pricePerPeriod();
                uncapped += dayFee;
                capped += Math.min(dayFee, t.dailyCap());
                days++;
                if (dayFee > t.dailyCap()) {
                    daysCapped++;
                }
                counted = upTo;
            }
            day = day.plusDays(1);
        }
        return new Time(total, uncapped, capped, days, daysCapped, false);
    }

    private static LineItem earlyBird(Tariff t, Instant entry, Instant exit, long fee) {
        Tariff.EarlyBird eb = t.earlyBird();
        if (eb == null) {
            return LineItem.skipped("EARLY_BIRD", "the tariff has no early bird");
        }
        Optional<String> failed = earlyBirdFails(eb, entry.atZone(t.zone()), exit.atZone(t.zone()));
        if (failed.isPresent()) {
            return LineItem.skipped("EARLY_BIRD", failed.get());
        }
        if (eb.price() >= fee) {
            return LineItem.skipped("EARLY_BIRD", "conditions met, but the time fee " + fee
                    + " is not above the early-bird price " + eb.price());
        }
        return LineItem.applied("EARLY_BIRD", eb.price() - fee, "entered " + eb.entryFrom() + "-" + eb.entryUntil()
                + ", left by " + eb.exitUntil() + " the same day: early-bird price " + eb.price());
    }

    private static Optional<String> earlyBirdFails(Tariff.EarlyBird eb, ZonedDateTime in, ZonedDateTime out) {
        LocalTime entry = in.toLocalTime();
        if (entry.isBefore(eb.entryFrom()) || !entry.isBefore(eb.entryUntil())) {
            return Optional.of("entry at " + entry.withNano(0) + " is outside " + eb.entryFrom() + "-" + eb.entryUntil());
        }
        if (!out.toLocalDate().equals(in.toLocalDate())) {
            return Optional.of("exit is not on the day of entry");
        }
        LocalTime exit = out.toLocalTime();
        if (eb.exitFrom() != null && exit.isBefore(eb.exitFrom())) {
            return Optional.of("exit at " + exit.withNano(0) + " is before " + eb.exitFrom());
        }
        if (exit.isAfter(eb.exitUntil())) {
            return Optional.of("exit at " + exit.withNano(0) + " is after " + eb.exitUntil());
        }
        return Optional.empty();
    }

    private static LineItem surcharge(Tariff t, VehicleType spaceType) {
        if (spaceType == null || t.surcharges().isEmpty()) {
            return LineItem.skipped("SURCHARGE", "no surcharge for this space");
        }
        return t.surcharges().stream().filter(s -> s.spaceType() == spaceType).findFirst()
                .map(s -> LineItem.applied("SURCHARGE", s.amount(), (s.label() == null ? spaceType.name() : s.label())
                        + " surcharge on a space of type " + spaceType.name()))
                .orElseGet(() -> LineItem.skipped("SURCHARGE", "no surcharge on a space of type " + spaceType.name()));
    }

    private static String dayName(Tariff t) {
        return t.dayRule() == Tariff.DailyMaximum.CALENDAR_DAY ? "calendar day (" + t.zone() + ")" : "24 h since entry";
    }

    private static String minutes(long seconds) {
        return (seconds / 60) + " min " + (seconds % 60) + " s";
    }

    /** Non-negative factors; saturates instead of wrapping. */
    private static long times(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    private static long plus(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }
}
