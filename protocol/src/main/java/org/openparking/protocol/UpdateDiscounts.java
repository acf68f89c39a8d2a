package org.openparking.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The lot's merchant validators and coupons, replaced whole (issue 19). {@code version} increases with every change
 * made in the cloud; an edge applies only a newer version. Each level receives its own copy, in which
 * {@link Coupon#usesElsewhere} counts the uses the cloud has seen on the lot's other levels.
 */
public record UpdateDiscounts(int version, List<Validator> validators, List<Coupon> coupons)
        implements Message.Command {

    /** How a validation or coupon lowers a fee. */
    public enum Kind {
        /** The stay is shortened by {@code value} minutes before the tariff is applied. */
        TIME_OFF,
        /** The fee becomes at most {@code value} (e.g. 0 for "free"). Validators only. */
        REPLACE_PRICE,
        /** {@code value} minor units off. */
        AMOUNT_OFF,
        /** {@code value} percent off (1-100). */
        PERCENT_OFF
    }

    /**
     * A merchant (validator account) whose terminal may issue signed validations; {@code validMinutes} is how long
     * an issued validation stays valid.
     */
    public record Validator(String validatorId, String name, String department, Kind kind, long value,
                            int validMinutes) {
        public Validator {
            UpdateDiscounts.code(validatorId, "validatorId");
            Checks.requireText(name, "name");
            Checks.requireText(department, "department");
            if (department.contains("|") || department.length() > 100) {
                throw new IllegalArgumentException("department must be at most 100 characters without '|'");
            }
            Checks.requireNonNull(kind, "kind");
            checkValue(kind, value);
            if (validMinutes < 1) {
                throw new IllegalArgumentException("validMinutes must be at least 1, was " + validMinutes);
            }
        }
    }

    /**
     * A coupon code. {@code maxUses} 1 is single-use; 0 is unlimited. {@code validFrom}/{@code validUntil} bound
     * when it may be redeemed (null: unbounded).
     */
    public record Coupon(String code, Kind kind, long value, int maxUses, Instant validFrom, Instant validUntil,
                         int usesElsewhere) {
        public Coupon {
            UpdateDiscounts.code(code, "code");
            Checks.requireNonNull(kind, "kind");
            if (kind == Kind.REPLACE_PRICE) {
                throw new IllegalArgumentException("a coupon takes TIME_OFF, AMOUNT_OFF or PERCENT_OFF");
            }
            checkValue(kind, value);
            Checks.requireNonNegative(maxUses, "maxUses");
            Checks.requireNonNegative(usesElsewhere, "usesElsewhere");
            if (validFrom != null && validUntil != null && !validFrom.isBefore(validUntil)) {
                throw new IllegalArgumentException("validFrom must be before validUntil");
            }
        }
    }

    public UpdateDiscounts {
        if (version < 1) {
            throw new IllegalArgumentException("discounts version must be at least 1, was " + version);
        }
        validators = List.copyOf(Checks.requireNonNull(validators, "validators"));
        coupons = List.copyOf(Checks.requireNonNull(coupons, "coupons"));
    }

    /** Validator ids and coupon codes: 1-64 letters, digits, '-' or '_' (they travel inside signed validations). */
    public static String code(String value, String name) {
        if (value == null || !value.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException(name + " must be 1-64 letters, digits, '-' or '_'");
        }
        return value;
    }

    static void checkValue(Kind kind, long value) {
        Checks.requireNonNegative(value, "value");
        if (kind == Kind.PERCENT_OFF && (value < 1 || value > 100)) {
            throw new IllegalArgumentException("a percentage is 1-100, was " + value);
        }
        if (kind == Kind.TIME_OFF && value > 366L * 24 * 60) {
            throw new IllegalArgumentException("time off is at most a year of minutes, was " + value);
        }
        if (value > Tariff.MAX_AMOUNT) {
            throw new IllegalArgumentException("value must be at most " + Tariff.MAX_AMOUNT + ", was " + value);
        }
    }
}
