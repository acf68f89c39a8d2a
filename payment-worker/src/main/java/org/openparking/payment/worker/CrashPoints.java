package org.openparking.payment.worker;

/**
 * Places in the processing of one request where a test can make the worker "crash" (abort its
 * connections and throw), to prove that a redelivery is not charged twice. Production uses
 * {@link #NONE}.
 */
public interface CrashPoints {
    CrashPoints NONE = new CrashPoints() {
    };

    /** After Stripe answered, before the result is stored. */
    default void afterProviderCall(String paymentId) {
    }

    /** After the result is stored, before it is published and the request acked. */
    default void afterStore(String paymentId) {
    }
}
