package org.openparking.payment.store;

import java.time.Duration;
import java.util.Optional;

/**
 * Final payment and refund results, and the claim that keeps competing workers from charging the
 * same payment at the same time.
 */
public interface PaymentStore {

    /**
     * Claims a payment: inserts {@code initial} (PENDING) unless a row exists, and locks the row
     * until the claim is completed or closed. A second worker claiming the same payment waits
     * (up to {@code timeout}) and then sees the first worker's committed result.
     */
    PaymentClaim claim(PaymentRecord initial, Duration timeout);

    Optional<PaymentRecord> find(String paymentId);

    /** PENDING payments known at the provider whose last update is older than {@code age}, oldest first. */
    java.util.List<PaymentRecord> pendingOlderThan(Duration age, int limit);

    Optional<RefundRecord> findRefund(String refundId);

    /**
     * Locks a payment for a refund (up to {@code timeout}), so concurrent refunds of one payment are checked
     * against what is left one at a time. The payment may be unknown (then nothing is locked).
     */
    RefundClaim claimRefund(String paymentId, Duration timeout);

    /** A transaction for one webhook event. */
    WebhookTransaction beginWebhook();

    /** A locked payment row; {@link #close()} without {@link #complete} rolls back. */
    interface PaymentClaim extends AutoCloseable {
        /** The row as stored now, under the lock (PENDING when just inserted). */
        PaymentRecord current();

        /** Writes the new state and commits, releasing the lock. */
        void complete(PaymentRecord updated);

        @Override
        void close();
    }

    /** A payment locked for a refund; {@link #close()} without {@link #complete} rolls back. */
    interface RefundClaim extends AutoCloseable {
        /** The payment as stored now, under the lock; empty when this worker never charged it. */
        Optional<PaymentRecord> payment();

        /**
         * Stores the refund outcome unless one exists (first writer wins), adds a REFUNDED amount to the
         * payment's {@code refundedAmount}, commits, and returns the stored outcome.
         */
        RefundRecord complete(RefundRecord refund);

        @Override
        void close();
    }

    /** Seen-event check and payment update in one transaction, committed after the result is published. */
    interface WebhookTransaction extends AutoCloseable {
        /** Records the event id; false when it was seen before (a duplicate delivery). */
        boolean markSeen(String eventId, String type);

        /** The payment for a PaymentIntent, locked; by provider reference, else by payment id. */
        Optional<PaymentRecord> lockPayment(String providerReference, String paymentId);

        void update(PaymentRecord record);

        void commit();

        @Override
        void close();
    }
}
