package org.openparking.payment.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Refund;
import com.stripe.model.StripeError;
import com.stripe.net.RequestOptions;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.RefundCreateParams;
import java.util.Locale;
import org.openparking.payment.WorkerSettings;

/**
 * One attempt per call against Stripe through an instance {@link StripeClient} (never the static
 * {@code Stripe.apiKey}). stripe-java's own network retries are off: resilience4j owns retrying.
 * Every call carries an idempotency key, so any attempt can be repeated safely.
 */
public final class StripePaymentGateway implements PaymentGateway {
    private final StripeClient client;
    private final StripeMeters meters;

    public StripePaymentGateway(WorkerSettings.Stripe settings) {
        this(settings, StripeMeters.NONE);
    }

    public StripePaymentGateway(WorkerSettings.Stripe settings, StripeMeters meters) {
        this.meters = meters;
        this.client = StripeClient.builder()
                .setApiKey(settings.apiKey())
                .setApiBase(settings.apiBase())
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setReadTimeout((int) settings.readTimeout().toMillis())
                .setMaxNetworkRetries(0)
                .build();
    }

    @Override
    public ChargeOutcome charge(ChargeRequest request) throws GatewayException {
        PaymentIntentCreateParams params = PaymentIntentCreateParams.builder()
                .setAmount(request.amount())
                .setCurrency(request.currency().toLowerCase(Locale.ROOT))
                .setPaymentMethod(request.paymentMethod())
                .setConfirm(true)
                // A gate cannot show a 3-D Secure page: card methods only, no redirects.
                .setAutomaticPaymentMethods(PaymentIntentCreateParams.AutomaticPaymentMethods.builder()
                        .setEnabled(true)
                        .setAllowRedirects(PaymentIntentCreateParams.AutomaticPaymentMethods.AllowRedirects.NEVER)
                        .build())
                .putMetadata("payment_id", request.paymentId())
                .putMetadata("session_id", request.sessionId())
                .build();
        RequestOptions options = RequestOptions.builder().setIdempotencyKey(request.paymentId()).build();
        try {
            return answered("charge", fromIntent(client.v1().paymentIntents().create(params, options)));
        } catch (CardException e) {
            return answered("charge", declined(e), e);
        } catch (StripeException | RuntimeException e) {
            return failedOrThrow("charge", e);
        }
    }

    @Override
    public ChargeOutcome status(String providerReference) throws GatewayException {
        try {
            return answered("status", fromIntent(client.v1().paymentIntents().retrieve(providerReference)));
        } catch (CardException e) {
            return answered("status", declined(e), e);
        } catch (StripeException | RuntimeException e) {
            return failedOrThrow("status", e);
        }
    }

    @Override
    public RefundOutcome refund(RefundCall request) throws GatewayException {
        RefundCreateParams params = RefundCreateParams.builder()
                .setPaymentIntent(request.providerReference())
                .setAmount(request.amount())
                .putMetadata("refund_id", request.refundId())
                .putMetadata("payment_id", request.paymentId())
                .build();
        RequestOptions options = RequestOptions.builder().setIdempotencyKey(request.refundId()).build();
        try {
            Refund refund = client.v1().refunds().create(params, options);
            String status = refund.getStatus();
            boolean ok = "succeeded".equals(status) || "pending".equals(status);
            meters.attempt("refund", ok ? Disposition.PAID : Disposition.FAILED, null);
            return new RefundOutcome(ok ? RefundOutcome.REFUNDED : RefundOutcome.FAILED, refund.getId(),
                    ok ? null : "refund_" + status);
        } catch (StripeException | RuntimeException e) {
            Disposition d = StripeOutcomes.classify(e);
            meters.attempt("refund", d, e);
            if (d.isFinal()) {
                return new RefundOutcome(RefundOutcome.FAILED, null, code(e));
            }
            throw new GatewayException(d, e instanceof StripeException se ? se.getStatusCode() : null,
                    e.getClass().getSimpleName() + ": " + code(e), e);
        }
    }

    static ChargeOutcome fromIntent(PaymentIntent intent) {
        Disposition d = StripeOutcomes.forIntentStatus(intent.getStatus());
        if (d == Disposition.PAID || d == Disposition.PENDING) {
            return new ChargeOutcome(d, intent.getId(), null, null);
        }
        StripeError last = intent.getLastPaymentError();
        String code = last != null && last.getDeclineCode() != null ? last.getDeclineCode()
                : last != null && last.getCode() != null ? last.getCode()
                : StripeOutcomes.failureCodeForStatus(intent.getStatus());
        String message = last != null ? last.getMessage() : "payment intent " + intent.getStatus();
        return new ChargeOutcome(d, intent.getId(), code, message);
    }

    private static ChargeOutcome declined(CardException e) {
        StripeError error = e.getStripeError();
        String intentId = error != null && error.getPaymentIntent() != null ? error.getPaymentIntent().getId() : null;
        String code = e.getDeclineCode() != null ? e.getDeclineCode() : e.getCode();
        String message = error != null && error.getMessage() != null ? error.getMessage() : "card declined";
        return new ChargeOutcome(Disposition.DECLINED, intentId, code == null ? "card_declined" : code, message);
    }

    private ChargeOutcome answered(String call, ChargeOutcome outcome) {
        meters.attempt(call, outcome.disposition(), null);
        return outcome;
    }

    private ChargeOutcome answered(String call, ChargeOutcome outcome, StripeException error) {
        meters.attempt(call, outcome.disposition(), error);
        return outcome;
    }

    /** A final non-card error becomes a FAILED outcome; anything else is thrown for retry or hold. */
    private ChargeOutcome failedOrThrow(String call, Exception e) throws GatewayException {
        Disposition d = StripeOutcomes.classify(e);
        meters.attempt(call, d.isFinal() ? Disposition.FAILED : d, e);
        Integer status = e instanceof StripeException se ? se.getStatusCode() : null;
        if (d.isFinal()) {
            return new ChargeOutcome(Disposition.FAILED, null, code(e), e.getMessage());
        }
        throw new GatewayException(d, status, e.getClass().getSimpleName() + " " + status + ": " + code(e), e);
    }

    private static String code(Exception e) {
        if (e instanceof StripeException se && se.getCode() != null) {
            return se.getCode();
        }
        return e.getClass().getSimpleName();
    }
}
