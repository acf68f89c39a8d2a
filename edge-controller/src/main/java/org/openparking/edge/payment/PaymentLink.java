package org.openparking.edge.payment;

/** Whether payment results can be expected now: the explicit degraded modes of offline-first rule 6. */
public interface PaymentLink {
    enum State { ONLINE, CLOUD_DOWN, PAYMENTS_DOWN }

    State state();

    /** An exit waited for a result in vain: payments are down until a result arrives again. */
    void paymentTimedOut();

    /** A result arrived: payments work. */
    void paymentAnswered();

    /** A link for an edge with no cloud configured: always CLOUD_DOWN. */
    static PaymentLink offline() {
        return new PaymentLink() {
            @Override
            public State state() {
                return State.CLOUD_DOWN;
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
