package org.openparking.firmware;

import java.time.Duration;

/**
 * Timers for debounce, simulated travel and travel timeouts. One per level, so every timer callback of a
 * level runs on the same thread; tests swap in a manual one to make time deterministic.
 */
interface Scheduler {
    /** Runs {@code task} once after {@code delay}, never on the calling thread's stack. */
    Cancellable schedule(Duration delay, Runnable task);

    /** Cancels a task that has not started; a task already running may still complete. */
    interface Cancellable {
        void cancel();
    }
}
