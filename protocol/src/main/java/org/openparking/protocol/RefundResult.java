package org.openparking.protocol;

/** The outcome of a refund: {@code REFUNDED} or {@code FAILED}. */
public record RefundResult(String refundId, String paymentId, String sessionId, String outcome, long amount,
                           String currency, String providerReference, String failureCode)
        implements Message.Event {
    public RefundResult {
        Checks.requireText(refundId, "refundId");
        Checks.requireText(paymentId, "paymentId");
        Checks.requireText(sessionId, "sessionId");
        Checks.requireText(outcome, "outcome");
        Checks.requireCurrency(currency);
    }
}
