package org.openparking.firmware;

/**
 * Drives simulated hardware: what the simulator API and tests use to play a car arriving,
 * passing the barrier or parking. Inputs set here still go through debounce and interlocks.
 */
public interface SimulatedLevel {
    void setArmingLoop(String laneId, boolean present);

    void setSafetyLoop(String laneId, boolean present);

    void setSpot(String spotId, boolean occupied);

    /** Make a barrier drive report a fault, as a jammed arm would. */
    void injectBarrierFault(String laneId, String reason);

    /** Make a printer fail, as an empty paper roll would; {@code null} clears it. */
    void injectPrinterFault(String laneId, String reason);

    /** Tickets printed on a lane, oldest first. */
    java.util.List<String> printed(String laneId);
}
