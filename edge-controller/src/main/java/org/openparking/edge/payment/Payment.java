package org.openparking.edge.payment;

import java.time.Instant;

/** One payment attempt for a session, as stored on the edge. */
public record Payment(String paymentId, String sessionId, int attempt, long amount, String currency, Status status,
                      boolean deferred, Via via, String providerReference, String failureCode, Instant createdAt,
                      Instant updatedAt) {

    /** REQUESTED: sent or waiting in the outbox; DEFERRED: gate opened under the offline policy, not yet charged. */
    public enum Status { REQUESTED, PAID, DECLINED, FAILED, DEFERRED }

    public enum Via { EXIT, PAY_STATION }

    /** The id is deterministic, so the same attempt always has the same Stripe idempotency key. */
    public static String idFor(String sessionId, int attempt) {
        return "pay-" + sessionId + "-" + attempt;
    }
}
