package org.openparking.protocol;

/** Refund (part of) a paid session. {@code refundId} is the refund's own idempotency key. */
public record RefundRequested(String refundId, String paymentId, String sessionId, String providerReference,
                              long amount, String currency, String reason, String requestedBy)
        implements Message.Event {
    public RefundRequested {
        Checks.requireText(refundId, "refundId");
        Checks.requireText(paymentId, "paymentId");
        Checks.requireText(sessionId, "sessionId");
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
        Checks.requireCurrency(currency);
    }
}
