package org.openparking.protocol;

/**
 * An edge's periodic report of its own health, published by its relay while connected (not through
 * the outbox: it is a snapshot, and the newest one wins). It keeps a quiet edge visibly online in the
 * cloud and shows its backlog and software version. Carries seq 0: it is outside the event sequence.
 */
public record EdgeStatus(String softwareVersion, String syncState, long outboxPending, long oldestPendingAgeSeconds)
        implements Message.Event {
    public EdgeStatus {
        Checks.requireText(softwareVersion, "softwareVersion");
        Checks.requireText(syncState, "syncState");
        Checks.requireNonNegative(outboxPending, "outboxPending");
        Checks.requireNonNegative(oldestPendingAgeSeconds, "oldestPendingAgeSeconds");
    }
}
