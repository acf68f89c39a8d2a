package org.openparking.payment.store;

/** The database could not do what was asked; the caller holds or requeues the request. */
public final class StoreException extends RuntimeException {
    private final boolean lockTimeout;

    public StoreException(String message, Throwable cause, boolean lockTimeout) {
        super(message, cause);
        this.lockTimeout = lockTimeout;
    }

    /** Another worker holds the claim on the same payment longer than the claim timeout. */
    public boolean lockTimeout() {
        return lockTimeout;
    }
}
