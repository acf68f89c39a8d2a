package org.openparking.firmware;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The real {@link Scheduler}: one daemon thread per level. */
final class ExecutorScheduler implements Scheduler, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExecutorScheduler.class.getName());

    private final ScheduledExecutorService executor;

    ExecutorScheduler(String threadName) {
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        try {
            ScheduledFuture<?> future = executor.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // One failing callback must not kill the level's only timer thread.
                    LOG.log(Level.WARNING, "hardware timer task failed", e);
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            // Closed: the hardware is shutting down, nothing is left to time.
            return () -> { };
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
