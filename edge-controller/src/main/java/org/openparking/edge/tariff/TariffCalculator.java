package org.openparking.edge.tariff;

import java.time.Duration;
import java.time.Instant;
import org.openparking.protocol.Tariff;

/**
 * Fees from a tariff. A stay no longer than the grace period is free; otherwise every started period
 * is billed, and each started 24 hours since entry costs at most the daily cap. So the fee never
 * decreases with time, and never exceeds the cap times the number of started days.
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
            return ceilDiv(seconds, periodSeconds) * tariff.pricePerPeriod();
        }
        long fullDays = seconds / DAY_SECONDS;
        long rest = seconds % DAY_SECONDS;
        long restFee = Math.min(tariff.dailyCap(), ceilDiv(rest, periodSeconds) * tariff.pricePerPeriod());
        return fullDays * tariff.dailyCap() + restFee;
    }

    /** The fee for an exit without a ticket: the lost-ticket fee, or the time-based fee if that is higher. */
    public static long lostTicketFee(Tariff tariff, Instant entry, Instant exit) {
        return Math.max(tariff.lostTicketFee(), entry == null ? 0 : fee(tariff, entry, exit));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
