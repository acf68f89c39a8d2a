package org.openparking.protocol;

/**
 * A versioned price list. Amounts are in the currency's minor unit (cents).
 *
 * @param version        increases with every change; an edge applies only a newer version
 * @param currency       ISO 4217 code
 * @param graceMinutes   stays up to this long are free
 * @param periodMinutes  length of one billed period; a started period is billed in full
 * @param pricePerPeriod price of one period
 * @param dailyCap       most charged for any 24 hours since entry; 0 means no cap
 * @param lostTicketFee  flat fee for an exit without a ticket
 *
 * <p>Each amount is at most {@link #MAX_AMOUNT}, so a fee over any realistic stay (ten years of one-minute
 * periods is about 5.3 million of them) stays far inside a {@code long}.
 */
public record Tariff(int version, String currency, int graceMinutes, int periodMinutes,
                     long pricePerPeriod, long dailyCap, long lostTicketFee) {
    /** The largest price, cap or lost-ticket fee: ten million in major units. */
    public static final long MAX_AMOUNT = 1_000_000_000L;

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
    }

    private static void requireAmount(long value, String name) {
        Checks.requireNonNegative(value, name);
        if (value > MAX_AMOUNT) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_AMOUNT + ", was " + value);
        }
    }
}
