package org.openparking.payment.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.ApiKeyMissingException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import java.util.List;
import java.util.Map;

/**
 * {@code payment_stripe_calls_total{call, outcome, error_class}}: every single Stripe attempt (retries
 * included) by what the worker made of it ({@link Disposition}) and Stripe's error class
 * ({@code card_error}, {@code rate_limit_error}, {@code api_connection_error}, ...; {@code none} when Stripe
 * answered without an error). A rising {@code api_connection_error} or {@code authentication_error} is the
 * worker's problem; {@code card_error} is the drivers'.
 */
public final class StripeMeters {
    /** Counts nothing (unit tests). */
    public static final StripeMeters NONE = new StripeMeters(null);

    /** Most specific first: the first matching class names the error. */
    private static final List<Map.Entry<Class<? extends Throwable>, String>> CLASSES = List.of(
            Map.entry(CardException.class, "card_error"),
            Map.entry(RateLimitException.class, "rate_limit_error"),
            Map.entry(IdempotencyException.class, "idempotency_error"),
            Map.entry(InvalidRequestException.class, "invalid_request_error"),
            Map.entry(AuthenticationException.class, "authentication_error"),
            Map.entry(PermissionException.class, "permission_error"),
            Map.entry(ApiKeyMissingException.class, "api_key_missing"),
            Map.entry(ApiConnectionException.class, "api_connection_error"),
            Map.entry(ApiException.class, "api_error"),
            Map.entry(StripeException.class, "stripe_error"));

    private final MeterRegistry registry;

    public StripeMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One attempt of {@code call} (charge, status, refund); {@code error} is null when Stripe answered. */
    void attempt(String call, Disposition outcome, Throwable error) {
        if (registry == null) {
            return;
        }
        registry.getOrCreate(Counter.builder("payment.stripe.calls")
                .description("Stripe API attempts by call, what the worker made of the answer, and Stripe's"
                        + " error class")
                .tags(List.of(Tag.create("call", call), Tag.create("outcome", outcome.name()),
                        Tag.create("error_class", errorClass(error)))))
                .increment();
    }

    /** Stripe's error class of a failed call: a small fixed set, so the label stays bounded. */
    static String errorClass(Throwable error) {
        if (error == null) {
            return "none";
        }
        for (Map.Entry<Class<? extends Throwable>, String> e : CLASSES) {
            if (e.getKey().isInstance(error)) {
                return e.getValue();
            }
        }
        return "other";
    }
}
