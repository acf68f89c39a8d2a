package org.openparking.protocol;

/**
 * The final outcome of a payment request. Published by the payment worker to the edge's queue
 * and to {@code parking.events}. {@code providerReference} is the Stripe PaymentIntent id.
 */
public record PaymentResult(String paymentId, String sessionId, Outcome outcome, long amount, String currency,
                            String providerReference, String failureCode, String failureMessage,
                            boolean deferred) implements Message.Event {

    /** PAID: charged. DECLINED: the card was refused. FAILED: could not be charged for another final reason. */
    public enum Outcome { PAID, DECLINED, FAILED }

    public PaymentResult {
        Checks.requireText(paymentId, "paymentId");
        Checks.requireText(sessionId, "sessionId");
        Checks.requireNonNull(outcome, "outcome");
        Checks.requireNonNegative(amount, "amount");
        Checks.requireCurrency(currency);
    }
}
