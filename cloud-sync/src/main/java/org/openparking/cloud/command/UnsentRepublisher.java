package org.openparking.cloud.command;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Periodically re-publishes commands whose first publish was not confirmed. */
public final class UnsentRepublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UnsentRepublisher.class.getName());
    /** Rows younger than this may still be in their first publish. */
    private static final int MIN_AGE_SECONDS = 5;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("cloud-sync-republisher").daemon(true).factory());

    public UnsentRepublisher(OutgoingMessages outgoing, Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                int sent = outgoing.republishUnsent(MIN_AGE_SECONDS, 500);
                if (sent > 0) {
                    LOG.info(() -> "re-published " + sent + " unsent commands");
                }
            } catch (Exception e) {
                LOG.log(Level.FINE, "re-publish pass failed", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
