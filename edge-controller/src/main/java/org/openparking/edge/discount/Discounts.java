package org.openparking.edge.discount;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.tariff.Explanation;
import org.openparking.edge.tariff.LineItem;
import org.openparking.protocol.AppliedDiscount;
import org.openparking.protocol.UpdateDiscounts;

/**
 * Validations and coupons on a tariff fee, in a fixed order: the tariff's lines, then the permit (a placeholder line
 * until permits exist), then one merchant validation, then one coupon. Each takes off at most what is left, so
 * neither raises a fee nor makes it negative. A refusal is named: {@code VALIDATION_INVALID},
 * {@code VALIDATION_EXPIRED}, {@code COUPON_UNKNOWN}, {@code COUPON_NOT_YET_VALID}, {@code COUPON_EXPIRED},
 * {@code COUPON_USED_UP}; nothing is stored by a quote, and a coupon use is stored in the exit's closing transaction.
 */
public final class Discounts {
    public static final String VALIDATION = "VALIDATION";
    public static final String COUPON = "COUPON";

    private final ValidationSigner signer;
    private final DiscountRepository repository;

    public Discounts(ValidationSigner signer, DiscountRepository repository) {
        this.signer = signer;
        this.repository = repository;
    }

    /** What a driver presents beside the ticket: either may be null. */
    public record Presented(String validation, String coupon) {
        public static final Presented NONE = new Presented(null, null);

        public boolean any() {
            return validation != null && !validation.isBlank() || coupon != null && !coupon.isBlank();
        }
    }

    /** The explained fee after discounts and what each discount took off (for session.closed and the bill-back). */
    public record Result(Explanation explanation, List<AppliedDiscount> applied) {
    }

    /**
     * @param tariffFee the tariff's explained fee of the stay with its entry moved later by the given duration (the
     *                  stay shortened, for time off); {@code tariffFee.apply(Duration.ZERO)} is the undiscounted fee
     */
    public Result apply(Connection c, String sessionId, Function<Duration, Explanation> tariffFee, Presented presented,
                        Instant now) throws SQLException {
        Explanation e = tariffFee.apply(Duration.ZERO)
                .plus(LineItem.skipped("PERMIT", "no permit (permits are decided by the lane; see docs/lanes.md)"));
        List<AppliedDiscount> applied = new ArrayList<>();
        Duration shifted = Duration.ZERO;
        String token = blankToNull(presented.validation());
        if (token == null) {
            e = e.plus(LineItem.skipped(VALIDATION, "no validation presented"));
        } else {
            ValidationSigner.Validation v = signer.verify(token, sessionId, now);
            UpdateDiscounts.Validator known = repository.validator(c, v.validatorId()).orElseThrow(() ->
                    ValidationSigner.invalid("validator " + v.validatorId() + " is not (or no longer) known here"));
            long off = off(e.fee(), v.kind(), v.value(), tariffFee, shifted);
            if (v.kind() == UpdateDiscounts.Kind.TIME_OFF) {
                shifted = shifted.plusMinutes(v.value());
            }
            e = e.plus(LineItem.applied(VALIDATION, -off, known.name() + " (" + v.department() + "): "
                    + describe(v.kind(), v.value())));
            applied.add(new AppliedDiscount(VALIDATION, v.validatorId(), v.department(), off));
        }
        String code = blankToNull(presented.coupon());
        if (code == null) {
            e = e.plus(LineItem.skipped(COUPON, "no coupon presented"));
        } else {
            UpdateDiscounts.Coupon k = usableCoupon(c, code, sessionId, now);
            long off = off(e.fee(), k.kind(), k.value(), tariffFee, shifted);
            e = e.plus(LineItem.applied(COUPON, -off, "coupon " + k.code() + ": " + describe(k.kind(), k.value())));
            applied.add(new AppliedDiscount(COUPON, k.code(), null, off));
        }
        return new Result(e, applied);
    }

    /**
     * Signs a validation of a known validator for one ticket's session: the validation terminal's call. Its kind and
     * value are the validator's own (a terminal cannot choose a bigger discount); it expires after the validator's
     * {@code validMinutes}.
     */
    public String issue(Connection c, String lotId, String sessionId, String validatorId, Instant now)
            throws SQLException {
        if (validatorId == null || validatorId.isBlank()) {
            throw new ParkingException(Kind.BAD_REQUEST, "VALIDATOR_REQUIRED", "validatorId is required");
        }
        UpdateDiscounts.Validator v = repository.validator(c, validatorId).orElseThrow(() ->
                new ParkingException(Kind.NOT_FOUND, "VALIDATOR_UNKNOWN", "no validator " + validatorId + " on this lot"));
        return signer.sign(new ValidationSigner.Validation(lotId, v.validatorId(), v.department(), sessionId, v.kind(),
                v.value(), now.plus(Duration.ofMinutes(v.validMinutes()))));
    }

    /** Records the discounts of a closing session (coupon uses included); in the closing transaction. */
    public void recordClose(Connection c, String sessionId, List<AppliedDiscount> applied, Instant now)
            throws SQLException {
        if (!applied.isEmpty()) {
            repository.recordApplied(c, sessionId, applied, now);
        }
    }

    private UpdateDiscounts.Coupon usableCoupon(Connection c, String code, String sessionId, Instant now)
            throws SQLException {
        UpdateDiscounts.Coupon k = repository.coupon(c, code).orElseThrow(() ->
                new ParkingException(Kind.NOT_FOUND, "COUPON_UNKNOWN", "no coupon " + code + " on this lot"));
        if (k.validFrom() != null && now.isBefore(k.validFrom())) {
            throw new ParkingException(Kind.FORBIDDEN, "COUPON_NOT_YET_VALID", "coupon " + code + " is valid from "
                    + k.validFrom());
        }
        if (k.validUntil() != null && now.isAfter(k.validUntil())) {
            throw new ParkingException(Kind.FORBIDDEN, "COUPON_EXPIRED", "coupon " + code + " expired at "
                    + k.validUntil());
        }
        if (k.maxUses() > 0) {
            int uses = repository.usesHere(c, code, sessionId) + k.usesElsewhere();
            if (uses >= k.maxUses()) {
                throw new ParkingException(Kind.CONFLICT, "COUPON_USED_UP", "coupon " + code + " was used " + uses
                        + " time(s) of " + k.maxUses());
            }
        }
        return k;
    }

    /** What a discount takes off a fee {@code fee}: at least 0, at most the fee. */
    static long off(long fee, UpdateDiscounts.Kind kind, long value, Function<Duration, Explanation> tariffFee,
                    Duration shifted) {
        long off = switch (kind) {
            case REPLACE_PRICE -> fee - Math.min(fee, value);
            case AMOUNT_OFF -> value;
            case PERCENT_OFF -> fee > Long.MAX_VALUE / 100 ? fee / 100 * value : fee * value / 100;
            case TIME_OFF -> tariffFee.apply(shifted).fee() - tariffFee.apply(shifted.plusMinutes(value)).fee();
        };
        return Math.max(0, Math.min(fee, off));
    }

    private static String describe(UpdateDiscounts.Kind kind, long value) {
        return switch (kind) {
            case TIME_OFF -> value + " min free";
            case REPLACE_PRICE -> "price replaced by " + value;
            case AMOUNT_OFF -> value + " off";
            case PERCENT_OFF -> value + " % off";
        };
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
