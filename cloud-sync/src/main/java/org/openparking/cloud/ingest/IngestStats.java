package org.openparking.cloud.ingest;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one consumer: what was applied, skipped as duplicate, dead-lettered, re-queued. */
public final class IngestStats {
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong requeued = new AtomicLong();

    void applied() {
        applied.incrementAndGet();
    }

    void duplicate() {
        duplicates.incrementAndGet();
    }

    void deadLettered() {
        deadLettered.incrementAndGet();
    }

    void requeued() {
        requeued.incrementAndGet();
    }

    /** Events applied (committed and acked). */
    public long appliedCount() {
        return applied.get();
    }

    /** Deliveries whose envelope id was already in the inbox: acked, not applied again. */
    public long duplicateCount() {
        return duplicates.get();
    }

    /** Poison messages published to {@code parking.dlx} and acked. */
    public long deadLetteredCount() {
        return deadLettered.get();
    }

    /** Deliveries handed back to the broker because PostgreSQL could not take them. */
    public long requeuedCount() {
        return requeued.get();
    }
}
