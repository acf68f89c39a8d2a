package org.openparking.payment.stripe;

/** What the worker does with the answer (or the failure) of one Stripe call. */
public enum Disposition {
    /** Transient: retried in-line with exponential backoff under the same idempotency key, then held. */
    RETRY(false),
    /** The worker cannot call Stripe right now (bad key, no permission, breaker open): held, not retried in-line. */
    HOLD(false),
    /** Not final at Stripe yet (processing): stored as PENDING, settled by a webhook or a later redelivery. */
    PENDING(false),
    /** Final: charged. */
    PAID(true),
    /** Final: the card was refused (or needs an authentication the gate cannot do). */
    DECLINED(true),
    /** Final: cannot be charged for a reason retrying will not fix (invalid request, canceled). */
    FAILED(true);

    private final boolean fin;

    Disposition(boolean fin) {
        this.fin = fin;
    }

    /** True for PAID, DECLINED and FAILED: a result the edge can be told. */
    public boolean isFinal() {
        return fin;
    }
}
