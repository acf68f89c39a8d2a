package org.openparking.edge.sync;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.platform.jdbc.Database;
import org.openparking.platform.outbox.OutboxStore;

/**
 * Deletes sent outbox rows older than the retention, every {@code pruneInterval}, in small transactions
 * so pruning never holds the writer lock for long; unsent rows are never touched.
 */
final class OutboxPruner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboxPruner.class.getName());
    /** Sent rows pruned per transaction. */
    private static final int CHUNK = 2000;

    private final Database db;
    private final OutboxStore store;
    private final Duration retention;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("outbox-pruner").daemon(true).factory());
    private volatile boolean stopped;

    OutboxPruner(Database db, OutboxStore store, Duration retention, Duration interval, Clock clock) {
        this.db = db;
        this.store = store;
        this.retention = retention;
        this.clock = clock;
        scheduler.scheduleWithFixedDelay(this::pruneQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Returns how many rows it deleted. */
    int prune() {
        java.time.Instant before = clock.instant().minus(retention);
        int total = 0;
        int deleted;
        do {
            deleted = db.write(c -> store.prune(c, before, CHUNK));
            total += deleted;
        } while (deleted == CHUNK && !stopped);
        return total;
    }

    private void pruneQuietly() {
        try {
            int n = prune();
            if (n > 0) {
                LOG.info(() -> "pruned " + n + " sent outbox rows older than " + retention);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "outbox pruning failed; retrying next interval", e);
        }
    }

    @Override
    public void close() {
        stopped = true;
        scheduler.shutdownNow();
    }
}
