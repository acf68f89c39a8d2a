package org.openparking.payment.store;

import java.time.Instant;
import java.util.Objects;
import org.openparking.protocol.RefundResult;

/** A final refund outcome, keyed by the refund id (its idempotency key). */
public record RefundRecord(String refundId, String paymentId, String sessionId, String outcome, long amount,
                           String currency, String providerReference, String failureCode, String edgeId,
                           String lotId, String levelId, long seq, Instant createdAt) {
    public RefundRecord {
        Objects.requireNonNull(refundId, "refundId");
        Objects.requireNonNull(paymentId, "paymentId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public RefundResult toResult() {
        return new RefundResult(refundId, paymentId, sessionId, outcome, amount, currency, providerReference,
                failureCode);
    }
}
