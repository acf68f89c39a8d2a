package org.openparking.protocol;

import java.time.Instant;

/**
 * A vehicle left. {@code paymentId} is null when no payment was involved. The session is final:
 * a closed session never reopens, so consumers may treat this as the last version of it.
 */
public record SessionClosed(String sessionId, String laneId, Instant entryTime, Instant exitTime,
                            long feeAmount, String currency, PaymentStatus paymentStatus,
                            String paymentId, int tariffVersion, boolean lostTicket)
        implements Message.Event {
    public SessionClosed {
        Checks.requireText(sessionId, "sessionId");
        Checks.requireText(laneId, "laneId");
        Checks.requireNonNull(entryTime, "entryTime");
        Checks.requireNonNull(exitTime, "exitTime");
        Checks.requireNonNegative(feeAmount, "feeAmount");
        Checks.requireCurrency(currency);
        Checks.requireNonNull(paymentStatus, "paymentStatus");
    }
}
