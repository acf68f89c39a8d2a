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
 */
public record Tariff(int version, String currency, int graceMinutes, int periodMinutes,
                     long pricePerPeriod, long dailyCap, long lostTicketFee) {
    public Tariff {
        if (version < 1) {
            throw new IllegalArgumentException("tariff version must be at least 1, was " + version);
        }
        Checks.requireCurrency(currency);
        Checks.requireNonNegative(graceMinutes, "graceMinutes");
        if (periodMinutes < 1) {
            throw new IllegalArgumentException("periodMinutes must be at least 1, was " + periodMinutes);
        }
        Checks.requireNonNegative(pricePerPeriod, "pricePerPeriod");
        Checks.requireNonNegative(dailyCap, "dailyCap");
        Checks.requireNonNegative(lostTicketFee, "lostTicketFee");
    }
}
