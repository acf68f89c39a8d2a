package org.openparking.edge.tariff;

import java.time.Duration;
import java.time.Instant;
import org.openparking.protocol.Tariff;

/**
 * Fees from a tariff. A stay no longer than the grace period is free; otherwise every started period
 * is billed, and each started 24 hours since entry costs at most the daily cap. So the fee never
 * decreases with time, and never exceeds the cap times the number of started days. Tariff amounts are
 * bounded ({@link Tariff#MAX_AMOUNT}); beyond that, a stay too long for a {@code long} fee (a clock decades
 * off) saturates at {@link Long#MAX_VALUE} instead of wrapping to a negative fee.
 */
public final class TariffCalculator {
    private static final long DAY_SECONDS = Duration.ofDays(1).toSeconds();

    private TariffCalculator() {
    }

    public static long fee(Tariff tariff, Instant entry, Instant exit) {
        long seconds = Math.max(0, Duration.between(entry, exit).toSeconds());
        if (seconds <= tariff.graceMinutes() * 60L) {
            return 0;
        }
        long periodSeconds = tariff.periodMinutes() * 60L;
        if (tariff.dailyCap() == 0) {
            return times(ceilDiv(seconds, periodSeconds), tariff.pricePerPeriod());
        }
        long fullDays = seconds / DAY_SECONDS;
        long rest = seconds % DAY_SECONDS;
        long restFee = Math.min(tariff.dailyCap(), times(ceilDiv(rest, periodSeconds), tariff.pricePerPeriod()));
        long daysFee = times(fullDays, tariff.dailyCap());
        return daysFee > Long.MAX_VALUE - restFee ? Long.MAX_VALUE : daysFee + restFee;
    }

    /** The fee for an exit without a ticket: the lost-ticket fee, or the time-based fee if that is higher. */
    public static long lostTicketFee(Tariff tariff, Instant entry, Instant exit) {
        return Math.max(tariff.lostTicketFee(), entry == null ? 0 : fee(tariff, entry, exit));
    }

    /** Overflow-safe: {@code a + b - 1} would wrap for a near-maximal {@code a}. */
    private static long ceilDiv(long a, long b) {
        return Math.ceilDiv(a, b);
    }

    /** Non-negative factors; saturates instead of wrapping. */
    private static long times(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}
