package org.openparking.edge.payment;

/** Whether payment results can be expected now: the explicit degraded modes of offline-first rule 6. */
public interface PaymentLink {
    /**
     * OFFLINE_ONLY: no cloud is configured, so being offline is the plan, not an alarm; CLOUD_DOWN: a cloud
     * is configured and not reachable. Exits treat both alike (defer under the floor limit).
     */
    enum State { ONLINE, OFFLINE_ONLY, CLOUD_DOWN, PAYMENTS_DOWN }

    State state();

    /** An exit waited for a result in vain: payments are down until a result arrives again. */
    void paymentTimedOut();

    /** A result arrived: payments work. */
    void paymentAnswered();

    /** A link for an edge with no cloud configured: always OFFLINE_ONLY. */
    static PaymentLink offline() {
        return new PaymentLink() {
            @Override
            public State state() {
                return State.OFFLINE_ONLY;
            }

            @Override
            public void paymentTimedOut() {
            }

            @Override
            public void paymentAnswered() {
            }
        };
    }
}
