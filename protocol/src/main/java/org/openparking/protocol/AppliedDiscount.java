package org.openparking.protocol;

/**
 * A validation or coupon that lowered a closed session's fee, reported in {@link SessionClosed#discounts} so the cloud
 * counts coupon uses across levels and bills validations back per validator and department.
 *
 * @param source      {@code VALIDATION} or {@code COUPON}
 * @param reference   the validator id or the coupon code
 * @param department  the validator's department (null for a coupon)
 * @param amount      how much it took off, in minor units (0 when the fee was already 0)
 */
public record AppliedDiscount(String source, String reference, String department, long amount) {
    public AppliedDiscount {
        Checks.requireText(source, "source");
        Checks.requireText(reference, "reference");
        Checks.requireNonNegative(amount, "amount");
    }
}
