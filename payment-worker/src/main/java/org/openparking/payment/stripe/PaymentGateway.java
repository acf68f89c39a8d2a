package org.openparking.payment.stripe;

/**
 * The payment provider, one call per method. Final answers (including declines) are returned;
 * transient failures are thrown as {@link GatewayException} with a RETRY or HOLD disposition.
 */
public interface PaymentGateway {

    /** Creates and confirms a payment, idempotent on {@link ChargeRequest#paymentId()}. */
    ChargeOutcome charge(ChargeRequest request) throws GatewayException;

    /** Current state of an earlier payment (after PENDING). */
    ChargeOutcome status(String providerReference) throws GatewayException;

    /** Refunds a payment, idempotent on {@link RefundCall#refundId()}. */
    RefundOutcome refund(RefundCall request) throws GatewayException;

    /** What to charge. The payment method is a token (pm_...), kept out of {@link #toString()}. */
    record ChargeRequest(String paymentId, String sessionId, long amount, String currency, String paymentMethod) {
        @Override
        public String toString() {
            return "ChargeRequest[paymentId=" + paymentId + ", sessionId=" + sessionId + ", amount=" + amount
                    + ", currency=" + currency + "]";
        }
    }

    /** The answer for a payment: PAID, DECLINED, FAILED or PENDING. */
    record ChargeOutcome(Disposition disposition, String providerReference, String failureCode,
                         String failureMessage) {
        public ChargeOutcome {
            if (disposition == Disposition.RETRY || disposition == Disposition.HOLD) {
                throw new IllegalArgumentException("an outcome is final or pending, not " + disposition);
            }
        }
    }

    /** What to refund: a payment intent, an amount, the refund's own idempotency key. */
    record RefundCall(String refundId, String paymentId, String providerReference, long amount) {
    }

    /** Outcome of a refund: REFUNDED or FAILED. */
    record RefundOutcome(String outcome, String providerReference, String failureCode) {
        public static final String REFUNDED = "REFUNDED";
        public static final String FAILED = "FAILED";
    }
}
