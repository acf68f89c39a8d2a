package org.openparking.firmware;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Turns the debounced outer and inner loops of a ramp into passages: the loop covered first and the loop
 * cleared last give the direction. If the car was seen on one loop only when both clear, the passage waits
 * up to {@code gap} for the other loop (loops placed further apart than a car is long); without it the car
 * turned back. The same for simulated and Pi4J inputs.
 */
final class RampDirection implements RampDetector {
    private static final Logger LOG = Logger.getLogger(RampDirection.class.getName());

    private final String rampId;
    private final Debouncer outerInput;
    private final Debouncer innerInput;
    private final Duration gap;
    private final Scheduler scheduler;
    private final Listeners<Passage> listeners = new Listeners<>();

    private boolean outer;
    private boolean inner;
    /** The loop covered first in the passage under way; null when idle. */
    private Loop first;
    private boolean sawOuter;
    private boolean sawInner;
    /** A car was on a loop at start-up: its passage is not reported. */
    private boolean unknownStart;
    private long generation;
    private Scheduler.Cancellable gapTimer;

    RampDirection(String rampId, Debouncer outerInput, Debouncer innerInput, Duration gap, Scheduler scheduler) {
        this.rampId = rampId;
        this.outerInput = outerInput;
        this.innerInput = innerInput;
        this.gap = gap;
        this.scheduler = scheduler;
        synchronized (this) {
            outer = outerInput.value();
            inner = innerInput.value();
            unknownStart = outer || inner;
        }
        outerInput.onChange(present -> change(Loop.OUTER, present));
        innerInput.onChange(present -> change(Loop.INNER, present));
    }

    @Override
    public String rampId() {
        return rampId;
    }

    @Override
    public synchronized boolean occupied() {
        return outer || inner;
    }

    @Override
    public void onPassage(Consumer<Passage> listener) {
        listeners.add(listener);
    }

    private void change(Loop loop, boolean present) {
        synchronized (this) {
            if (loop == Loop.OUTER) {
                outer = present;
            } else {
                inner = present;
            }
            if (present) {
                cancelGap();
                if (unknownStart) {
                    // still the car that was there at start-up
                } else if (first == null) {
                    first = loop;
                }
                if (loop == Loop.OUTER) {
                    sawOuter = true;
                } else {
                    sawInner = true;
                }
            } else if (!outer && !inner) {
                bothClear(loop);
            }
        }
        listeners.drain();
    }

    // Caller holds the lock.
    private void bothClear(Loop lastOff) {
        if (unknownStart) {
            LOG.info(() -> "ramp " + rampId + ": the car on the loops at start-up left; not counted");
            reset();
            return;
        }
        if (first == null) {
            return;
        }
        if (sawOuter && sawInner) {
            finish(first == Loop.OUTER && lastOff == Loop.INNER ? Passage.IN
                    : first == Loop.INNER && lastOff == Loop.OUTER ? Passage.OUT : Passage.TURNED_BACK);
        } else if (gap.isZero()) {
            finish(Passage.TURNED_BACK);
        } else {
            long expected = ++generation;
            gapTimer = scheduler.schedule(gap, () -> gapExpired(expected));
        }
    }

    private void gapExpired(long expected) {
        synchronized (this) {
            if (expected != generation || outer || inner || first == null) {
                return;
            }
            gapTimer = null;
            finish(Passage.TURNED_BACK);
        }
        listeners.drain();
    }

    // Caller holds the lock.
    private void finish(Passage passage) {
        listeners.publish(passage);
        reset();
    }

    private void reset() {
        first = null;
        sawOuter = false;
        sawInner = false;
        unknownStart = false;
        cancelGap();
    }

    private void cancelGap() {
        generation++;
        if (gapTimer != null) {
            gapTimer.cancel();
            gapTimer = null;
        }
    }

    /** For the simulator: the debounced inputs behind this ramp. */
    Debouncer input(Loop loop) {
        return loop == Loop.OUTER ? outerInput : innerInput;
    }
}
