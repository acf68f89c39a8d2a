package org.openparking.payment.worker;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.payment.store.PaymentRecord;
import org.openparking.payment.store.PaymentStore;
import org.openparking.payment.store.RefundRecord;
import org.openparking.payment.store.StoreException;
import org.openparking.payment.stripe.Disposition;
import org.openparking.payment.stripe.GatewayException;
import org.openparking.payment.stripe.PaymentGateway;
import org.openparking.protocol.CardNumbers;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.ProtocolException;
import org.openparking.protocol.RefundRequested;

/**
 * Turns one request body into a {@link Decision}. Exactly once for payments:
 * <ol>
 *   <li>claim the payment row (insert PENDING if absent, lock it); a competing worker with the
 *       same payment waits here and then sees the first worker's result;</li>
 *   <li>a final stored result is republished, Stripe is not called (redelivery after Stripe's
 *       24-hour idempotency window included);</li>
 *   <li>otherwise Stripe is called with the payment id as idempotency key, and the answer is stored
 *       and committed before the caller publishes it and acks the request.</li>
 * </ol>
 * A crash before the commit rolls the claim back; the redelivery calls Stripe again with the same
 * key and gets the same PaymentIntent. A crash after it republishes the stored result.
 */
public final class PaymentProcessor {
    private static final Logger LOG = Logger.getLogger(PaymentProcessor.class.getName());

    private final PaymentStore store;
    private final PaymentGateway gateway;
    private final Duration claimTimeout;
    private final Duration holdDelay;
    private final CrashPoints crashPoints;
    private final Clock clock;
    private final PaymentMetrics metrics;

    public PaymentProcessor(PaymentStore store, PaymentGateway gateway, Duration claimTimeout, Duration holdDelay,
                            CrashPoints crashPoints, Clock clock, PaymentMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.gateway = gateway;
        this.claimTimeout = claimTimeout;
        this.holdDelay = holdDelay;
        this.crashPoints = crashPoints;
        this.clock = clock;
    }

    public Decision handle(byte[] body) {
        Decision decision = decide(body);
        switch (decision) {
            case Decision.Hold h -> metrics.count("HELD");
            case Decision.DeadLetter d -> metrics.count("DEAD_LETTERED");
            default -> {
            }
        }
        return decision;
    }

    private Decision decide(byte[] body) {
        Envelope request;
        try {
            request = MessageCodec.decode(body);
        } catch (ProtocolException e) {
            // The codec's message may quote the offending value: redact before it goes anywhere.
            return new Decision.DeadLetter(e.reason().name(), CardNumbers.redact(e.getMessage()));
        }
        Message payload = request.payload();
        try {
            return switch (payload) {
                case PaymentRequested p -> payment(request, p);
                case RefundRequested r -> refund(request, r);
                default -> new Decision.DeadLetter("UNEXPECTED_TYPE",
                        request.type() + " does not belong on " + "payments.requests");
            };
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "store unavailable, holding request " + request.id() + ": " + e.getMessage());
            return new Decision.Hold(holdDelay, "store: " + e.getMessage());
        }
    }

    private Decision payment(Envelope request, PaymentRequested p) {
        if (CardNumbers.looksLikePan(p.paymentMethod())) {
            // Not logged here: the dead letter's one line names the message and this reason.
            return new Decision.DeadLetter("CARD_NUMBER_REJECTED",
                    "paymentMethod must be a token (pm_...), never a card number");
        }
        Instant now = clock.instant();
        PaymentRecord initial = new PaymentRecord(p.paymentId(), p.sessionId(), PaymentRecord.Status.PENDING,
                p.amount(), p.currency(), p.deferred(), null, null, null, 0, request.edgeId(), request.lotId(),
                request.levelId(), request.seq(), now, now);
        try (PaymentStore.PaymentClaim claim = store.claim(initial, claimTimeout)) {
            PaymentRecord current = claim.current();
            if (current.status().isFinal()) {
                LOG.info("payment " + p.paymentId() + " already " + current.status() + ": republishing, not charging");
                metrics.count("REPUBLISHED");
                return new Decision.Publish(resultEnvelope(current, now));
            }
            PaymentGateway.ChargeOutcome outcome;
            try {
                outcome = current.providerReference() != null
                        ? gateway.status(current.providerReference())
                        : gateway.charge(new PaymentGateway.ChargeRequest(p.paymentId(), p.sessionId(), p.amount(),
                                p.currency(), p.paymentMethod()));
            } catch (GatewayException e) {
                LOG.warning("payment " + p.paymentId() + " held (" + e.disposition() + "): " + e.getMessage());
                return new Decision.Hold(holdDelay, e.getMessage());
            }
            crashPoints.afterProviderCall(p.paymentId());
            PaymentRecord updated = current.withOutcome(status(outcome.disposition()), outcome.providerReference(),
                    outcome.failureCode(), outcome.failureMessage(), clock.instant());
            claim.complete(updated);
            crashPoints.afterStore(p.paymentId());
            LOG.info("payment " + p.paymentId() + " " + updated.status() + " " + nullToEmpty(updated.failureCode()));
            metrics.count(updated.status().name());
            if (!updated.status().isFinal()) {
                return new Decision.Ack("payment " + p.paymentId() + " pending at Stripe; a webhook settles it");
            }
            return new Decision.Publish(resultEnvelope(updated, clock.instant()));
        }
    }

    /**
     * Asks the provider again about a PENDING payment (no webhook came), under the same claim as a
     * request so it never races a worker. A result that became final is published before it is
     * committed: if publishing fails the row stays PENDING and the next sweep tries again.
     * Returns true when the payment was settled.
     */
    public boolean settlePending(PaymentRecord pending, PendingSweeper.Sink sink) throws Exception {
        try (PaymentStore.PaymentClaim claim = store.claim(pending, claimTimeout)) {
            PaymentRecord current = claim.current();
            if (current.status().isFinal() || current.providerReference() == null) {
                return false;
            }
            PaymentGateway.ChargeOutcome outcome = gateway.status(current.providerReference());
            PaymentRecord updated = current.withOutcome(status(outcome.disposition()), outcome.providerReference(),
                    outcome.failureCode(), outcome.failureMessage(), clock.instant());
            if (updated.status().isFinal()) {
                sink.publish(resultEnvelope(updated, clock.instant()));
            }
            claim.complete(updated);
            if (updated.status().isFinal()) {
                LOG.info("pending payment " + current.paymentId() + " settled: " + updated.status());
                metrics.count(updated.status().name());
                return true;
            }
            return false;
        }
    }

    private Decision refund(Envelope request, RefundRequested r) {
        var stored = store.findRefund(r.refundId());
        if (stored.isPresent()) {
            metrics.count("REPUBLISHED");
            return new Decision.Publish(refundEnvelope(stored.get(), clock.instant()));
        }
        // Only a payment this worker charged and stored as PAID, never more than what is left of it, and
        // against the stored Stripe reference (the request's is not trusted), checked under the payment's lock.
        RefundRecord saved;
        try (PaymentStore.RefundClaim claim = store.claimRefund(r.paymentId(), claimTimeout)) {
            // A redelivery of this refund may have completed while we waited for the lock.
            var committed = store.findRefund(r.refundId());
            if (committed.isPresent()) {
                metrics.count("REPUBLISHED");
                return new Decision.Publish(refundEnvelope(committed.get(), clock.instant()));
            }
            PaymentGateway.RefundOutcome outcome;
            if (claim.payment().isEmpty() || claim.payment().get().providerReference() == null) {
                outcome = new PaymentGateway.RefundOutcome(PaymentGateway.RefundOutcome.FAILED, null,
                        "payment_not_found");
            } else {
                PaymentRecord paid = claim.payment().get();
                long left = paid.amount() - paid.refundedAmount();
                if (paid.status() != PaymentRecord.Status.PAID) {
                    return new Decision.DeadLetter("REFUND_NOT_ALLOWED", "payment " + paid.paymentId() + " is "
                            + paid.status() + ", not PAID");
                }
                if (!paid.currency().equals(r.currency()) || r.amount() > left) {
                    return new Decision.DeadLetter("REFUND_EXCEEDS_PAYMENT", "refund " + r.refundId() + " of "
                            + r.amount() + " " + r.currency() + ", but " + left + " " + paid.currency() + " of payment "
                            + paid.paymentId() + " is left to refund");
                }
                try {
                    outcome = gateway.refund(new PaymentGateway.RefundCall(r.refundId(), r.paymentId(),
                            paid.providerReference(), r.amount()));
                } catch (GatewayException e) {
                    LOG.warning("refund " + r.refundId() + " held (" + e.disposition() + "): " + e.getMessage());
                    return new Decision.Hold(holdDelay, e.getMessage());
                }
            }
            saved = claim.complete(new RefundRecord(r.refundId(), r.paymentId(), r.sessionId(),
                    outcome.outcome(), r.amount(), r.currency(), outcome.providerReference(), outcome.failureCode(),
                    request.edgeId(), request.lotId(), request.levelId(), request.seq(), clock.instant()));
        }
        LOG.info("refund " + r.refundId() + " " + saved.outcome());
        metrics.count(PaymentGateway.RefundOutcome.REFUNDED.equals(saved.outcome()) ? "REFUNDED" : "REFUND_FAILED");
        return new Decision.Publish(refundEnvelope(saved, clock.instant()));
    }

    private static PaymentRecord.Status status(Disposition d) {
        return switch (d) {
            case PAID -> PaymentRecord.Status.PAID;
            case DECLINED -> PaymentRecord.Status.DECLINED;
            case FAILED -> PaymentRecord.Status.FAILED;
            case PENDING -> PaymentRecord.Status.PENDING;
            case RETRY, HOLD -> throw new IllegalArgumentException("not an outcome: " + d);
        };
    }

    /**
     * The result envelope, addressed like the request (edge, lot, level, and the request's seq for
     * correlation). Its id is derived from payment id and outcome, so a republished result is a
     * duplicate the edge's inbox recognises.
     */
    public static Envelope resultEnvelope(PaymentRecord record, Instant now) {
        var result = record.toResult();
        return new Envelope(deterministicId(result.type(), record.paymentId(), record.status().name()),
                result.type(), Envelope.SCHEMA_VERSION, record.edgeId(), record.lotId(), record.levelId(),
                record.seq(), now, result);
    }

    static Envelope refundEnvelope(RefundRecord record, Instant now) {
        var result = record.toResult();
        return new Envelope(deterministicId(result.type(), record.refundId(), record.outcome()), result.type(),
                Envelope.SCHEMA_VERSION, record.edgeId(), record.lotId(), record.levelId(), record.seq(), now, result);
    }

    private static String deterministicId(String type, String key, String outcome) {
        return UUID.nameUUIDFromBytes((type + "|" + key + "|" + outcome).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
