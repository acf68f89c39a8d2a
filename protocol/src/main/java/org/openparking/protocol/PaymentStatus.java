package org.openparking.protocol;

/** The payment outcome an exit reports (ARCHITECTURE.md, exits). */
public enum PaymentStatus {
    /** No fee was due (grace period, allow-listed plate). */
    NOT_REQUIRED,
    /** Charged and confirmed. */
    PAID,
    /** No result in time and above the floor limit: pay at the pay station, gate stays closed. */
    PENDING,
    /** No result in time and at or below the floor limit: gate opened, charged when the link returns. */
    DEFERRED,
    /** The card was declined. */
    DECLINED
}
