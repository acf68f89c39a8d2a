package org.openparking.firmware;

/**
 * Drives simulated hardware: what the simulator API and tests use to play a car arriving,
 * passing the barrier or parking. Inputs set here still go through debounce and interlocks.
 */
public interface SimulatedLevel {
    void setArmingLoop(String laneId, boolean present);

    void setSafetyLoop(String laneId, boolean present);

    void setSpot(String spotId, boolean occupied);

    /** One loop of a ramp counter, as a car standing on it would set it. */
    void setRampLoop(String rampId, RampDetector.Loop loop, boolean present);

    /**
     * Plays one car over a ramp's loops, each step held long enough to pass the debounce: IN covers outer,
     * inner, clears outer, then inner; OUT the mirror image; TURNED_BACK covers outer and inner and leaves over
     * outer. Returns at once; the passage is reported a few debounce times later. Passages on one ramp play one
     * after another, in call order, as cars on a single-lane ramp do.
     */
    void driveRamp(String rampId, RampDetector.Passage passage);

    /** Make a barrier drive report a fault, as a jammed arm would. */
    void injectBarrierFault(String laneId, String reason);

    /** Make a printer fail, as an empty paper roll would; {@code null} clears it. */
    void injectPrinterFault(String laneId, String reason);

    /** Tickets printed on a lane, oldest first. */
    java.util.List<String> printed(String laneId);
}
