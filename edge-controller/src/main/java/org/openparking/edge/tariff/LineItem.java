package org.openparking.edge.tariff;

/**
 * One line of an explained fee. {@code amount} is what this line adds (negative: takes off); a line that did not apply
 * has amount 0 and says why in {@code detail}. The amounts of a quote's lines sum exactly to its fee.
 *
 * @param kind one of {@code GRACE}, {@code PERIODS}, {@code DAILY_CAP}, {@code EARLY_BIRD}, {@code SURCHARGE},
 *             {@code PERMIT}, {@code VALIDATION}, {@code COUPON}, {@code LOST_TICKET}, {@code ALLOW_LIST}
 */
public record LineItem(String kind, boolean applied, long amount, String detail) {
    public static LineItem applied(String kind, long amount, String detail) {
        return new LineItem(kind, true, amount, detail);
    }

    public static LineItem skipped(String kind, String why) {
        return new LineItem(kind, false, 0, why);
    }
}
