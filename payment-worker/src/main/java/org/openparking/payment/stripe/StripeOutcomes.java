package org.openparking.payment.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.ApiKeyMissingException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * THE table: every stripe-java exception class and every PaymentIntent status, mapped to retry or
 * to a final outcome. payment-worker/README.md repeats it; change both together.
 *
 * <p>Safe to retry means: the request did not reach Stripe, or Stripe says it did not act on it,
 * or it is answered from Stripe's idempotency cache, since every attempt carries the same
 * idempotency key (the payment id).
 */
public final class StripeOutcomes {

    /** One row of the exception table; the first row whose class matches wins, so subclasses come first. */
    public record Rule(Class<? extends Throwable> type, Function<Throwable, Disposition> disposition, String why) {
    }

    public static final List<Rule> EXCEPTIONS = List.of(
            new Rule(CardException.class, e -> Disposition.DECLINED,
                    "402 card_error: the card was declined; final, and a circuit breaker success"),
            new Rule(RateLimitException.class, e -> Disposition.RETRY,
                    "429 rate_limit / lock_timeout: Stripe did not act on it; retry with backoff"),
            new Rule(IdempotencyException.class, e -> Disposition.FAILED,
                    "400 idempotency_error: same key, different parameters; a bug, retrying cannot help"),
            new Rule(InvalidRequestException.class, e -> Disposition.FAILED,
                    "400/404 invalid_request_error (bad token, missing resource); final"),
            new Rule(AuthenticationException.class, e -> Disposition.HOLD,
                    "401: the worker's key is wrong; hold the request until an operator fixes it"),
            new Rule(PermissionException.class, e -> Disposition.HOLD,
                    "403: the key lacks a permission; hold like 401"),
            new Rule(ApiKeyMissingException.class, e -> Disposition.HOLD,
                    "no key configured; hold like 401"),
            new Rule(ApiConnectionException.class, e -> Disposition.RETRY,
                    "network/IO error; retry (the idempotency key makes a repeat safe)"),
            new Rule(ApiException.class, StripeOutcomes::apiException,
                    "5xx api_error or 409 idempotency key in use: retry; any other status: final FAILED"),
            new Rule(SignatureVerificationException.class, e -> Disposition.FAILED,
                    "webhooks only: the endpoint answers 400 INVALID_SIGNATURE"),
            new Rule(EventDataObjectDeserializationException.class, e -> Disposition.FAILED,
                    "webhooks only: event object not readable; the endpoint answers 400"),
            new Rule(StripeException.class, e -> Disposition.FAILED,
                    "any other Stripe error: final FAILED, visible to the operator"),
            new Rule(Exception.class, e -> Disposition.RETRY,
                    "not a Stripe error (unreadable response, I/O): retry under the same key"));

    /** PaymentIntent status after create-and-confirm (or retrieve) → disposition. */
    public static final Map<String, Disposition> INTENT_STATUSES = Map.of(
            "succeeded", Disposition.PAID,
            "processing", Disposition.PENDING,
            "requires_capture", Disposition.PENDING,
            "requires_action", Disposition.DECLINED,
            "requires_payment_method", Disposition.DECLINED,
            "requires_confirmation", Disposition.FAILED,
            "canceled", Disposition.FAILED);

    private StripeOutcomes() {
    }

    /** The disposition of a failed call. */
    public static Disposition classify(Throwable e) {
        for (Rule rule : EXCEPTIONS) {
            if (rule.type().isInstance(e)) {
                return rule.disposition().apply(e);
            }
        }
        return Disposition.RETRY;
    }

    /** The disposition of a PaymentIntent in the given status; an unknown status is FAILED. */
    public static Disposition forIntentStatus(String status) {
        return status == null ? Disposition.FAILED : INTENT_STATUSES.getOrDefault(status, Disposition.FAILED);
    }

    /** The failure code a final, non-PAID status is reported with. */
    public static String failureCodeForStatus(String status) {
        return switch (status == null ? "" : status) {
            case "requires_action" -> "authentication_required";
            case "requires_payment_method" -> "payment_method_failed";
            case "canceled" -> "canceled";
            default -> "unexpected_status_" + status;
        };
    }

    private static Disposition apiException(Throwable e) {
        Integer status = ((StripeException) e).getStatusCode();
        if (status == null || status >= 500 || status == 409) {
            return Disposition.RETRY;
        }
        return Disposition.FAILED;
    }
}
