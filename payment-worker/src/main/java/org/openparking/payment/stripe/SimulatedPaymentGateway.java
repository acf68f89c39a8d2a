package org.openparking.payment.stripe;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory stand-in for Stripe (development, demos, the contract test), following Stripe's
 * test tokens: {@code pm_card_chargeDeclined} (generic_decline),
 * {@code pm_card_chargeDeclinedInsufficientFunds} (insufficient_funds),
 * {@code pm_card_authenticationRequired} (requires_action → DECLINED), any other {@code pm_...}
 * succeeds, anything else is an invalid request. Idempotent like Stripe: a key seen before returns
 * its first answer; the same key with other parameters is an idempotency error (FAILED).
 */
public final class SimulatedPaymentGateway implements PaymentGateway {
    private record Attempt(ChargeRequest request, ChargeOutcome outcome) {
    }

    private final Map<String, Attempt> byKey = new ConcurrentHashMap<>();
    private final Map<String, Long> refundable = new ConcurrentHashMap<>();
    private final Map<String, RefundOutcome> refunds = new ConcurrentHashMap<>();

    @Override
    public ChargeOutcome charge(ChargeRequest request) {
        Attempt attempt = byKey.computeIfAbsent(request.paymentId(), k -> new Attempt(request, decide(request)));
        if (!sameParameters(attempt.request(), request)) {
            return new ChargeOutcome(Disposition.FAILED, null, "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters");
        }
        return attempt.outcome();
    }

    @Override
    public ChargeOutcome status(String providerReference) {
        return byKey.values().stream().map(Attempt::outcome)
                .filter(o -> providerReference.equals(o.providerReference())).findFirst()
                .orElse(new ChargeOutcome(Disposition.FAILED, null, "resource_missing",
                        "No such payment_intent: " + providerReference));
    }

    @Override
    public RefundOutcome refund(RefundCall request) {
        return refunds.computeIfAbsent(request.refundId(), k -> {
            Long paid = refundable.get(request.providerReference());
            if (paid == null) {
                return new RefundOutcome(RefundOutcome.FAILED, null, "resource_missing");
            }
            if (request.amount() > paid) {
                return new RefundOutcome(RefundOutcome.FAILED, null, "amount_too_large");
            }
            refundable.put(request.providerReference(), paid - request.amount());
            return new RefundOutcome(RefundOutcome.REFUNDED, "re_sim_" + request.refundId(), null);
        });
    }

    private ChargeOutcome decide(ChargeRequest r) {
        String intent = "pi_sim_" + r.paymentId();
        String pm = r.paymentMethod();
        if (pm == null || !pm.startsWith("pm_")) {
            return new ChargeOutcome(Disposition.FAILED, null, "resource_missing", "No such PaymentMethod");
        }
        return switch (pm) {
            case "pm_card_chargeDeclined" ->
                    new ChargeOutcome(Disposition.DECLINED, intent, "generic_decline", "Your card was declined.");
            case "pm_card_chargeDeclinedInsufficientFunds" ->
                    new ChargeOutcome(Disposition.DECLINED, intent, "insufficient_funds",
                            "Your card has insufficient funds.");
            case "pm_card_authenticationRequired" ->
                    new ChargeOutcome(Disposition.DECLINED, intent,
                            StripeOutcomes.failureCodeForStatus("requires_action"), "payment intent requires_action");
            default -> {
                refundable.put(intent, r.amount());
                yield new ChargeOutcome(Disposition.PAID, intent, null, null);
            }
        };
    }

    private static boolean sameParameters(ChargeRequest a, ChargeRequest b) {
        return a.amount() == b.amount() && Objects.equals(a.currency(), b.currency())
                && Objects.equals(a.paymentMethod(), b.paymentMethod());
    }
}
