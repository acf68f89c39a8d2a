package org.openparking.payment.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Charge;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeError;
import com.stripe.model.StripeObject;
import com.stripe.net.Webhook;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.payment.store.PaymentRecord;
import org.openparking.payment.store.PaymentStore;
import org.openparking.payment.worker.PaymentProcessor;
import org.openparking.platform.json.ErrorBody;
import org.openparking.protocol.Envelope;

/**
 * Stripe webhook events: signature verified with {@link Webhook#constructEvent}, each event id
 * handled once (seen ids are stored in the same transaction as the effect). A webhook settles a
 * PENDING payment (or corrects a stored outcome Stripe contradicts) and publishes the new result
 * before the transaction commits, so a failed publish makes Stripe redeliver the event.
 */
public final class WebhookProcessor {
    private static final Logger LOG = Logger.getLogger(WebhookProcessor.class.getName());

    /** Where a result changed by a webhook goes (the worker's confirm-mode publisher). */
    @FunctionalInterface
    public interface ResultSink {
        void publish(Envelope result) throws Exception;
    }

    /** The HTTP answer: status and body (a {@link Received} or an {@link ErrorBody}). */
    public record Reply(int status, Object body) {
    }

    /** A verified event: whether it was seen before and, if new, whether it changed a result to publish. */
    public record Received(boolean received, boolean duplicate,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Boolean published) {
    }

    private final PaymentStore store;
    private final ResultSink sink;
    private final String secret;
    private final Clock clock;

    public WebhookProcessor(PaymentStore store, ResultSink sink, String secret, Clock clock) {
        this.store = store;
        this.sink = sink;
        this.secret = secret;
        this.clock = clock;
    }

    public Reply handle(String payload, String signature) {
        if (secret == null || secret.isBlank()) {
            return error(503, "WEBHOOK_DISABLED", "stripe.webhook-secret is not configured");
        }
        if (signature == null || signature.isBlank()) {
            return error(400, "INVALID_SIGNATURE", "Stripe-Signature header missing");
        }
        Event event;
        try {
            event = Webhook.constructEvent(payload, signature, secret);
        } catch (SignatureVerificationException e) {
            LOG.warning("webhook rejected: signature does not verify");
            return error(400, "INVALID_SIGNATURE", "signature does not verify");
        } catch (RuntimeException e) {
            return error(400, "INVALID_PAYLOAD", "event is not readable");
        }
        try (PaymentStore.WebhookTransaction tx = store.beginWebhook()) {
            if (!tx.markSeen(event.getId(), event.getType())) {
                LOG.info("webhook event " + event.getId() + " seen before: ignored");
                return new Reply(200, new Received(true, true, null));
            }
            Envelope toPublish = switch (event.getType()) {
                case "payment_intent.succeeded" -> intent(tx, event, PaymentRecord.Status.PAID);
                case "payment_intent.payment_failed" -> intent(tx, event, PaymentRecord.Status.DECLINED);
                case "payment_intent.canceled" -> intent(tx, event, PaymentRecord.Status.FAILED);
                case "charge.refunded" -> refunded(tx, event);
                default -> null;
            };
            if (toPublish != null) {
                sink.publish(toPublish);
            }
            tx.commit();
            return new Reply(200, new Received(true, false, toPublish != null));
        } catch (NotYetKnown e) {
            LOG.info("webhook " + event.getType() + " for payment " + e.getMessage() + " before its result: retry later");
            return error(409, "PAYMENT_NOT_YET_KNOWN", "payment " + e.getMessage() + " not recorded yet; retry");
        } catch (EventDataObjectDeserializationException e) {
            return error(400, "INVALID_PAYLOAD", "event object is not readable");
        } catch (Exception e) {
            LOG.log(Level.WARNING, "webhook event " + event.getId() + " not processed, Stripe will retry", e);
            return error(500, "WEBHOOK_FAILED", "event not processed; retry");
        }
    }

    private Envelope intent(PaymentStore.WebhookTransaction tx, Event event, PaymentRecord.Status newStatus)
            throws EventDataObjectDeserializationException {
        PaymentIntent intent = (PaymentIntent) object(event);
        String paymentId = intent.getMetadata() == null ? null : intent.getMetadata().get("payment_id");
        Optional<PaymentRecord> found = tx.lockPayment(intent.getId(), paymentId);
        if (found.isEmpty()) {
            if (paymentId != null) {
                // One of ours whose claim is not committed yet: have Stripe send the event again later,
                // or a PENDING result committed after this moment would never be settled.
                throw new NotYetKnown(paymentId);
            }
            return null;
        }
        PaymentRecord record = found.get();
        boolean changes = newStatus == PaymentRecord.Status.PAID
                ? record.status() != PaymentRecord.Status.PAID
                // A failed attempt after a success, or on an already final payment, changes nothing.
                : record.status() == PaymentRecord.Status.PENDING;
        if (!changes) {
            return null;
        }
        String code = null;
        String message = null;
        if (newStatus != PaymentRecord.Status.PAID) {
            StripeError last = intent.getLastPaymentError();
            code = last != null && last.getDeclineCode() != null ? last.getDeclineCode()
                    : last != null && last.getCode() != null ? last.getCode()
                    : event.getType().substring(event.getType().indexOf('.') + 1);
            message = last != null ? last.getMessage() : null;
        }
        PaymentRecord updated = record.withOutcome(newStatus, intent.getId(), code, message, clock.instant());
        tx.update(updated);
        LOG.info("webhook " + event.getType() + ": payment " + record.paymentId() + " " + record.status() + " -> "
                + newStatus);
        return PaymentProcessor.resultEnvelope(updated, clock.instant());
    }

    private Envelope refunded(PaymentStore.WebhookTransaction tx, Event event)
            throws EventDataObjectDeserializationException {
        Charge charge = (Charge) object(event);
        Optional<PaymentRecord> found = tx.lockPayment(charge.getPaymentIntent(), null);
        if (found.isPresent() && charge.getAmountRefunded() != null) {
            PaymentRecord r = found.get();
            tx.update(new PaymentRecord(r.paymentId(), r.sessionId(), r.status(), r.amount(), r.currency(),
                    r.deferred(), r.providerReference(), r.failureCode(), r.failureMessage(),
                    charge.getAmountRefunded(), r.edgeId(), r.lotId(), r.levelId(), r.seq(), r.createdAt(),
                    clock.instant()));
        }
        return null;
    }

    /** A payment intent event of ours that arrived before the worker stored the payment. */
    private static final class NotYetKnown extends RuntimeException {
        NotYetKnown(String paymentId) {
            super(paymentId, null, false, false);
        }
    }

    private static StripeObject object(Event event) throws EventDataObjectDeserializationException {
        var deserializer = event.getDataObjectDeserializer();
        Optional<StripeObject> object = deserializer.getObject();
        // An event from another API version is still readable for the few fields used here.
        return object.isPresent() ? object.get() : deserializer.deserializeUnsafe();
    }

    private static Reply error(int status, String code, String message) {
        return new Reply(status, new ErrorBody(code, message));
    }
}
