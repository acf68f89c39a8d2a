package org.openparking.firmware;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import static org.openparking.firmware.BarrierState.CLOSED;
import static org.openparking.firmware.BarrierState.CLOSING;
import static org.openparking.firmware.BarrierState.FAULT;
import static org.openparking.firmware.BarrierState.OPEN;
import static org.openparking.firmware.BarrierState.OPENING;

/**
 * The barrier state machine with the safety interlock, shared by every drive: the arm never starts
 * closing while the (debounced) safety loop reports a vehicle, a held lowering runs once the loop clears,
 * and a vehicle arriving while the arm closes sends it back up. A move not confirmed by the drive within
 * {@code confirmTimeout} is a FAULT.
 */
final class InterlockedBarrier implements BarrierGate {
    private final String laneId;
    private final BarrierDrive drive;
    private final VehicleDetector safetyLoop;
    private final Scheduler scheduler;
    private final Duration confirmTimeout;
    private final Listeners<BarrierState> listeners = new Listeners<>();

    private BarrierState state = CLOSED;
    private String faultReason;
    private boolean lowerHeld;
    private long moveNumber;
    private Scheduler.Cancellable timeout;

    private InterlockedBarrier(String laneId, BarrierDrive drive, VehicleDetector safetyLoop, Scheduler scheduler,
                               Duration confirmTimeout) {
        this.laneId = laneId;
        this.drive = drive;
        this.safetyLoop = safetyLoop;
        this.scheduler = scheduler;
        this.confirmTimeout = confirmTimeout;
    }

    /** @param confirmTimeout zero: no timeout */
    static InterlockedBarrier create(String laneId, BarrierDrive drive, VehicleDetector safetyLoop,
                                     Scheduler scheduler, Duration confirmTimeout) {
        InterlockedBarrier barrier = new InterlockedBarrier(laneId, drive, safetyLoop, scheduler, confirmTimeout);
        drive.listener(new BarrierDrive.Listener() {
            @Override
            public void arrived(boolean up) {
                barrier.arrived(up);
            }

            @Override
            public void faulted(String reason) {
                barrier.faulted(reason);
            }
        });
        safetyLoop.onChange(present -> barrier.safetyLoopChanged());
        return barrier;
    }

    @Override
    public String laneId() {
        return laneId;
    }

    @Override
    public boolean raise() {
        boolean accepted;
        synchronized (this) {
            if (state != FAULT) {
                lowerHeld = false;
                if (state == CLOSED || state == CLOSING) {
                    move(OPENING);
                }
            }
            accepted = state != FAULT;
        }
        listeners.drain();
        return accepted;
    }

    @Override
    public boolean lower() {
        boolean lowering;
        synchronized (this) {
            if (state == FAULT) {
                lowering = false;
            } else if (state == CLOSED || state == CLOSING) {
                lowering = true;
            } else if (safetyLoop.present()) {
                lowerHeld = true;
                lowering = false;
            } else {
                lowerHeld = false;
                move(CLOSING);
                lowering = state == CLOSING;
            }
        }
        listeners.drain();
        return lowering;
    }

    @Override
    public synchronized BarrierState state() {
        return state;
    }

    @Override
    public synchronized Optional<String> fault() {
        return Optional.ofNullable(faultReason);
    }

    /**
     * Returns the arm to CLOSED through CLOSING (or first up, if a vehicle is on the safety loop).
     *
     * @throws HardwareException if the drive still reports its fault
     */
    @Override
    public void resetFault() {
        synchronized (this) {
            if (state != FAULT) {
                return;
            }
            if (!drive.reset()) {
                throw new HardwareException("barrier " + laneId + " still reports a fault: " + faultReason);
            }
            faultReason = null;
            if (safetyLoop.present()) {
                lowerHeld = true;
                move(OPENING);
            } else {
                move(CLOSING);
            }
        }
        listeners.drain();
    }

    @Override
    public void onStateChange(Consumer<BarrierState> listener) {
        listeners.add(listener);
    }

    private void arrived(boolean up) {
        synchronized (this) {
            applyInterlock(); // a vehicle may have arrived since; it wins over the limit switch
            if (up && state == OPENING) {
                enter(OPEN);
                applyInterlock();
            } else if (!up && state == CLOSING) {
                enter(CLOSED);
            }
        }
        listeners.drain();
    }

    private void faulted(String reason) {
        synchronized (this) {
            if (state != FAULT) {
                fault(reason);
            }
        }
        listeners.drain();
    }

    private void safetyLoopChanged() {
        synchronized (this) {
            applyInterlock();
        }
        listeners.drain();
    }

    private void timedOut(long move) {
        synchronized (this) {
            if (move == moveNumber && (state == OPENING || state == CLOSING)) {
                fault("arm did not reach " + (state == OPENING ? OPEN : CLOSED) + " within " + confirmTimeout);
            }
        }
        listeners.drain();
    }

    // The methods below run with the lock held.

    private void applyInterlock() {
        boolean occupied = safetyLoop.present();
        if (occupied && state == CLOSING) {
            lowerHeld = true; // close again once the vehicle has passed, as a real barrier does
            move(OPENING);
        } else if (!occupied && lowerHeld && (state == OPEN || state == OPENING)) {
            lowerHeld = false;
            move(CLOSING);
        }
    }

    private void move(BarrierState to) {
        enter(to);
        long move = ++moveNumber;
        if (!confirmTimeout.isZero()) {
            timeout = scheduler.schedule(confirmTimeout, () -> timedOut(move));
        }
        try {
            drive.command(to == OPENING);
        } catch (RuntimeException e) {
            fault("drive command failed: " + e.getMessage());
        }
    }

    private void enter(BarrierState to) {
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
        state = Objects.requireNonNull(to);
        listeners.publish(to);
    }

    private void fault(String reason) {
        lowerHeld = false;
        moveNumber++;
        faultReason = reason;
        enter(FAULT);
    }
}
