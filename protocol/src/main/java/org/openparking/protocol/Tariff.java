package org.openparking.protocol;

import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

/**
 * A versioned price list. Amounts are in the currency's minor unit (cents).
 *
 * @param version        increases with every change; an edge applies only a newer version
 * @param currency       ISO 4217 code
 * @param graceMinutes   stays up to this long are free
 * @param periodMinutes  length of one billed period; a started period is billed in full
 * @param pricePerPeriod price of one period
 * @param dailyCap       most charged for any day (see {@code dailyMaximum}); 0 means no cap
 * @param lostTicketFee  flat fee for an exit without a ticket
 * @param dailyMaximum   how a day is counted for the cap: {@code ROLLING_24H} (each started 24 hours since entry,
 *                       the default and the only behaviour of tariffs written before issue 19) or
 *                       {@code CALENDAR_DAY} (each calendar day in {@code timeZone}; a period is counted on the day it
 *                       starts)
 * @param timeZone       the lot's time zone (IANA id) for calendar days and the early bird; null means UTC
 * @param earlyBird      a flat price when every condition holds (null: none)
 * @param surcharges     a flat amount per stay added for a space type (e.g. EV), after the cap; null means none
 *
 * <p>The four last fields were added by issue 19; a tariff JSON without them reads as before (null or default),
 * and the edge stores them beside the original columns. Each amount is at most {@link #MAX_AMOUNT}, so a fee over
 * any realistic stay stays far inside a {@code long}.
 */
public record Tariff(int version, String currency, int graceMinutes, int periodMinutes,
                     long pricePerPeriod, long dailyCap, long lostTicketFee,
                     DailyMaximum dailyMaximum, String timeZone, EarlyBird earlyBird, List<Surcharge> surcharges) {
    /** The largest price, cap or lost-ticket fee: ten million in major units. */
    public static final long MAX_AMOUNT = 1_000_000_000L;

    /** How the daily cap counts a day. */
    public enum DailyMaximum { ROLLING_24H, CALENDAR_DAY }

    /**
     * Early bird: entry at or after {@code entryFrom} and before {@code entryUntil}, exit on the same calendar day
     * at or after {@code exitFrom} (null: any time) and at or before {@code exitUntil}: the stay costs at most
     * {@code price}. All conditions or nothing; applied only when it is cheaper than the time-based fee.
     */
    public record EarlyBird(LocalTime entryFrom, LocalTime entryUntil, LocalTime exitFrom, LocalTime exitUntil,
                            long price) {
        public EarlyBird {
            Checks.requireNonNull(entryFrom, "earlyBird.entryFrom");
            Checks.requireNonNull(entryUntil, "earlyBird.entryUntil");
            Checks.requireNonNull(exitUntil, "earlyBird.exitUntil");
            if (!entryFrom.isBefore(entryUntil)) {
                throw new IllegalArgumentException("earlyBird.entryFrom must be before entryUntil");
            }
            if (exitFrom != null && exitFrom.isAfter(exitUntil)) {
                throw new IllegalArgumentException("earlyBird.exitFrom must not be after exitUntil");
            }
            requireAmount(price, "earlyBird.price");
        }
    }

    /** A flat amount added once per stay on a space of {@code spaceType}. */
    public record Surcharge(VehicleType spaceType, long amount, String label) {
        public Surcharge {
            Checks.requireNonNull(spaceType, "surcharge.spaceType");
            requireAmount(amount, "surcharge.amount");
        }
    }

    public Tariff {
        if (version < 1) {
            throw new IllegalArgumentException("tariff version must be at least 1, was " + version);
        }
        Checks.requireCurrency(currency);
        Checks.requireNonNegative(graceMinutes, "graceMinutes");
        if (periodMinutes < 1) {
            throw new IllegalArgumentException("periodMinutes must be at least 1, was " + periodMinutes);
        }
        requireAmount(pricePerPeriod, "pricePerPeriod");
        requireAmount(dailyCap, "dailyCap");
        requireAmount(lostTicketFee, "lostTicketFee");
        if (timeZone != null) {
            try {
                ZoneId.of(timeZone);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("timeZone must be an IANA time zone id, was " + timeZone);
            }
        }
        surcharges = surcharges == null ? List.of() : List.copyOf(surcharges);
        if (surcharges.stream().map(Surcharge::spaceType).distinct().count() != surcharges.size()) {
            throw new IllegalArgumentException("at most one surcharge per space type");
        }
    }

    /** A tariff as written before issue 19: rolling 24 hours, UTC, no early bird, no surcharge. */
    public Tariff(int version, String currency, int graceMinutes, int periodMinutes, long pricePerPeriod,
                  long dailyCap, long lostTicketFee) {
        this(version, currency, graceMinutes, periodMinutes, pricePerPeriod, dailyCap, lostTicketFee, null, null, null,
                null);
    }

    /** {@code dailyMaximum}, defaulting to rolling 24 hours. */
    public DailyMaximum dayRule() {
        return dailyMaximum == null ? DailyMaximum.ROLLING_24H : dailyMaximum;
    }

    public ZoneId zone() {
        return timeZone == null ? java.time.ZoneOffset.UTC : ZoneId.of(timeZone);
    }

    /** Whether anything beyond the original seven fields is set (stored as the edge's {@code rules} column). */
    public boolean hasRules() {
        return dailyMaximum != null || timeZone != null || earlyBird != null || !surcharges.isEmpty();
    }

    private static void requireAmount(long value, String name) {
        Checks.requireNonNegative(value, name);
        if (value > MAX_AMOUNT) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_AMOUNT + ", was " + value);
        }
    }
}
