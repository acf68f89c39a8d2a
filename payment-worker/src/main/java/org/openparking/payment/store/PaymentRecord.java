package org.openparking.payment.store;

import java.time.Instant;
import java.util.Objects;
import org.openparking.protocol.PaymentResult;

/**
 * A stored payment: its request, its status, and where its result goes (the requesting edge and
 * the request's seq, so a webhook can publish a result long after the request was acked).
 */
public record PaymentRecord(String paymentId, String sessionId, Status status, long amount, String currency,
                            boolean deferred, String providerReference, String failureCode, String failureMessage,
                            long refundedAmount, String edgeId, String lotId, String levelId, long seq,
                            Instant createdAt, Instant updatedAt) {

    /** PENDING is not final: charge (idempotently) again, or wait for a webhook. */
    public enum Status {
        PENDING, PAID, DECLINED, FAILED;

        public boolean isFinal() {
            return this != PENDING;
        }
    }

    public PaymentRecord {
        Objects.requireNonNull(paymentId, "paymentId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(edgeId, "edgeId");
        Objects.requireNonNull(lotId, "lotId");
        Objects.requireNonNull(levelId, "levelId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** The same payment with a new status and provider answer. */
    public PaymentRecord withOutcome(Status newStatus, String reference, String code, String message, Instant at) {
        return new PaymentRecord(paymentId, sessionId, newStatus, amount, currency, deferred,
                reference != null ? reference : providerReference, code, message, refundedAmount, edgeId, lotId,
                levelId, seq, createdAt, at);
    }

    /** The wire result of a final record. */
    public PaymentResult toResult() {
        if (!status.isFinal()) {
            throw new IllegalStateException("payment " + paymentId + " is not final");
        }
        return new PaymentResult(paymentId, sessionId, PaymentResult.Outcome.valueOf(status.name()), amount, currency,
                providerReference, failureCode, failureMessage, deferred);
    }
}
