package org.openparking.firmware;

import com.pi4j.io.gpio.digital.DigitalOutput;

import java.time.Duration;

/**
 * A barrier drive on GPIO: one output commands the arm (high = up), two debounced limit switches confirm the
 * end positions and a debounced fault input reports a drive fault.
 */
final class Pi4jBarrierDrive implements BarrierDrive {
    private final DigitalOutput raisePin;
    private final Debouncer openLimit;
    private final Debouncer closedLimit;
    private final Debouncer faultInput;
    private final int faultPin;
    private final Scheduler scheduler;
    private volatile Listener listener;

    Pi4jBarrierDrive(DigitalOutput raisePin, Debouncer openLimit, Debouncer closedLimit, Debouncer faultInput,
                     int faultPin, Scheduler scheduler) {
        this.raisePin = raisePin;
        this.openLimit = openLimit;
        this.closedLimit = closedLimit;
        this.faultInput = faultInput;
        this.faultPin = faultPin;
        this.scheduler = scheduler;
    }

    @Override
    public void listener(Listener listener) {
        this.listener = listener;
        openLimit.onChange(reached -> {
            if (reached) {
                listener.arrived(true);
            }
        });
        closedLimit.onChange(reached -> {
            if (reached) {
                listener.arrived(false);
            }
        });
        faultInput.onChange(active -> {
            if (active) {
                listener.faulted(faultReason());
            }
        });
        if (faultInput.value()) {
            scheduler.schedule(Duration.ZERO, () -> listener.faulted(faultReason()));
        }
    }

    @Override
    public void command(boolean up) {
        try {
            raisePin.setState(up);
        } catch (RuntimeException e) {
            throw new HardwareException("cannot drive barrier pin " + raisePin.id(), e);
        }
        // Already at the end position (a move reversed before the arm left its switch): no edge will come.
        if ((up ? openLimit : closedLimit).value()) {
            scheduler.schedule(Duration.ZERO, () -> listener.arrived(up));
        }
    }

    @Override
    public boolean reset() {
        return !faultInput.value();
    }

    private String faultReason() {
        return "drive fault input active (GPIO " + faultPin + ")";
    }
}
