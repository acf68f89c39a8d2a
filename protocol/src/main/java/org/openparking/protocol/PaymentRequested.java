package org.openparking.protocol;

/**
 * Charge a session's fee. {@code paymentId} is deterministic for the session, and is the Stripe
 * idempotency key, so a request sent twice is charged once. {@code paymentMethod} is a payment
 * method token from the terminal (never a card number). {@code deferred} is true when the gate
 * already opened under the offline policy.
 */
public record PaymentRequested(String paymentId, String sessionId, long amount, String currency,
                               String paymentMethod, boolean deferred, String plate)
        implements Message.Event {
    public PaymentRequested {
        Checks.requireText(paymentId, "paymentId");
        Checks.requireText(sessionId, "sessionId");
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
        Checks.requireCurrency(currency);
        Checks.requireText(paymentMethod, "paymentMethod");
    }

    @Override
    public String toString() {
        // The token is not a card number, but it is still a credential: keep it out of logs.
        return "PaymentRequested[paymentId=" + paymentId + ", sessionId=" + sessionId + ", amount=" + amount
                + ", currency=" + currency + ", deferred=" + deferred + "]";
    }
}
