package org.openparking.protocol;

import java.time.Instant;
import java.util.List;

/**
 * A vehicle left. {@code paymentId} is null when no payment was involved. The session is final:
 * a closed session never reopens, so consumers may treat this as the last version of it. {@code discounts}
 * (issue 19, additive: absent reads as empty) lists the validation and coupon applied to the fee.
 */
public record SessionClosed(String sessionId, String laneId, Instant entryTime, Instant exitTime,
                            long feeAmount, String currency, PaymentStatus paymentStatus,
                            String paymentId, int tariffVersion, boolean lostTicket,
                            List<AppliedDiscount> discounts)
        implements Message.Event {
    public SessionClosed {
        Checks.requireText(sessionId, "sessionId");
        Checks.requireText(laneId, "laneId");
        Checks.requireNonNull(entryTime, "entryTime");
        Checks.requireNonNull(exitTime, "exitTime");
        Checks.requireNonNegative(feeAmount, "feeAmount");
        Checks.requireCurrency(currency);
        Checks.requireNonNull(paymentStatus, "paymentStatus");
        discounts = discounts == null ? List.of() : List.copyOf(discounts);
    }

    /** A close without validation or coupon (as every close before issue 19). */
    public SessionClosed(String sessionId, String laneId, Instant entryTime, Instant exitTime, long feeAmount,
                         String currency, PaymentStatus paymentStatus, String paymentId, int tariffVersion,
                         boolean lostTicket) {
        this(sessionId, laneId, entryTime, exitTime, feeAmount, currency, paymentStatus, paymentId, tariffVersion,
                lostTicket, List.of());
    }
}
