package org.openparking.cloud.payments;

import java.time.Instant;

/** JSON shapes of payments, the unable-to-collect ledger and refunds. */
public final class PaymentViews {
    private PaymentViews() {
    }

    /** A payment: request columns from payment.requested, outcome columns from payment.result. */
    public record Payment(String paymentId, String sessionId, String lotId, String levelId, String plate, long amount,
                          String currency, boolean deferred, Instant requestedAt, String outcome,
                          String providerReference, String failureCode, String failureMessage, Instant resultAt,
                          long refunded) {
    }

    /** A deferred payment (the car already left) that came back DECLINED or FAILED. */
    public record LedgerEntry(String paymentId, String sessionId, String lotId, String levelId, String plate,
                              long amount, String currency, String outcome, String failureCode,
                              String failureMessage, Instant failedAt, Instant exitTime) {
    }

    public record Refund(String refundId, String paymentId, String sessionId, long amount, String currency,
                         String reason, String requestedBy, Instant requestedAt, String status,
                         String providerReference, String failureCode, Instant resultAt) {
    }

    /**
     * Filters of the ledger; null means no filter; {@code from}/{@code to} bound the failure time;
     * {@code lots}: the lots the caller may see (a tenant), null for every lot.
     */
    public record LedgerFilter(String lotId, String plate, Instant from, Instant to, int limit,
                               java.util.Set<String> lots) {
        public LedgerFilter {
            lots = lots == null ? null : java.util.Set.copyOf(lots);
            if (limit < 1 || limit > 1000) {
                throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
            }
        }
    }

    /** Filters of the payment list; null means no filter; {@code lots} as in {@link LedgerFilter}. */
    public record PaymentFilter(String lotId, String sessionId, String outcome, int limit,
                                java.util.Set<String> lots) {
        public PaymentFilter {
            lots = lots == null ? null : java.util.Set.copyOf(lots);
            if (limit < 1 || limit > 1000) {
                throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
            }
        }
    }
}
