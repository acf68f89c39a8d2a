package org.openparking.payment.stripe;

/** A call that did not reach a final answer: retry it (RETRY) or hold the request (HOLD). */
public final class GatewayException extends Exception {
    private final Disposition disposition;
    private final Integer status;

    public GatewayException(Disposition disposition, Integer status, String message, Throwable cause) {
        super(message, cause);
        if (disposition.isFinal() || disposition == Disposition.PENDING) {
            throw new IllegalArgumentException("not a failure disposition: " + disposition);
        }
        this.disposition = disposition;
        this.status = status;
    }

    public Disposition disposition() {
        return disposition;
    }

    /** HTTP status if Stripe answered, else null. */
    public Integer status() {
        return status;
    }

    /** 429: Stripe is fine, we are too fast; the breaker does not count it. */
    public boolean rateLimited() {
        return status != null && status == 429;
    }
}
