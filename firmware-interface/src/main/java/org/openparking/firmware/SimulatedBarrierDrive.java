package org.openparking.firmware;

import java.time.Duration;

/** An arm that takes {@code travel} to move and jams only when told to. */
final class SimulatedBarrierDrive implements BarrierDrive {
    private final Scheduler scheduler;
    private final Duration travel;
    private volatile Listener listener;
    private Scheduler.Cancellable moving;

    SimulatedBarrierDrive(Scheduler scheduler, Duration travel) {
        this.scheduler = scheduler;
        this.travel = travel;
    }

    @Override
    public synchronized void command(boolean up) {
        stop();
        moving = scheduler.schedule(travel, () -> listener.arrived(up));
    }

    @Override
    public boolean reset() {
        return true;
    }

    @Override
    public void listener(Listener listener) {
        this.listener = listener;
    }

    /** A jammed arm: it stops where it is and reports the fault. */
    void jam(String reason) {
        synchronized (this) {
            stop();
        }
        listener.faulted(reason == null || reason.isBlank() ? "simulated fault" : reason);
    }

    private void stop() {
        if (moving != null) {
            moving.cancel();
            moving = null;
        }
    }
}
