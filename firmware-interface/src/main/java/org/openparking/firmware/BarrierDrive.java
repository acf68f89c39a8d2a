package org.openparking.firmware;

/**
 * The motor side of a barrier, below the interlock: it moves the arm when told and reports where the arm
 * got to. It knows nothing about loops; {@link InterlockedBarrier} decides when it may move.
 */
interface BarrierDrive {
    /**
     * Drive the arm up ({@code true}) or down. Arrival is reported through the listener later, never from
     * inside this call.
     *
     * @throws HardwareException if the command could not be given
     */
    void command(boolean up);

    /** Clear a fault after repair; false while the drive still reports one. */
    boolean reset();

    /** Set once, before the first command. */
    void listener(Listener listener);

    interface Listener {
        /** The arm reached its upper ({@code true}) or lower end position. */
        void arrived(boolean up);

        void faulted(String reason);
    }
}
