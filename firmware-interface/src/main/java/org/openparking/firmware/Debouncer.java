package org.openparking.firmware;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * One debounced input. A raw change becomes the reported value only after it has held for the debounce
 * time; a change that reverts sooner is never reported. Zero debounce reports immediately.
 */
final class Debouncer {
    private final Duration debounce;
    private final Scheduler scheduler;
    private final Listeners<Boolean> listeners = new Listeners<>();

    private boolean raw;
    private boolean stable;
    private long generation;
    private Scheduler.Cancellable pending;

    Debouncer(boolean initial, Duration debounce, Scheduler scheduler) {
        this.raw = initial;
        this.stable = initial;
        this.debounce = debounce;
        this.scheduler = scheduler;
    }

    /** A raw reading from the pin or the simulator, on any thread. */
    void input(boolean value) {
        synchronized (this) {
            if (value == raw) {
                return;
            }
            raw = value;
            generation++;
            if (pending != null) {
                pending.cancel();
                pending = null;
            }
            if (value == stable) {
                return; // a glitch that ended before the debounce time: nothing to report
            }
            if (debounce.isZero()) {
                settle(generation);
            } else {
                long expected = generation;
                pending = scheduler.schedule(debounce, () -> settleAndDeliver(expected));
            }
        }
        listeners.drain();
    }

    synchronized boolean value() {
        return stable;
    }

    void onChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    private void settleAndDeliver(long expected) {
        synchronized (this) {
            settle(expected);
        }
        listeners.drain();
    }

    // Caller holds the lock. The generation check drops a timer that fired after a newer raw change.
    private void settle(long expected) {
        if (expected != generation || raw == stable) {
            return;
        }
        pending = null;
        stable = raw;
        listeners.publish(stable);
    }
}
