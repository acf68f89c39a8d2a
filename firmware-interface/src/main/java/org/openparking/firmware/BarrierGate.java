package org.openparking.firmware;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * A lane's barrier. Implementations enforce the safety interlock: {@link #lower()} never lowers
 * the arm while the lane's safety loop reports a vehicle; the lowering is held and carried out
 * once the loop is clear.
 */
public interface BarrierGate {
    String laneId();

    /** Raise the arm. Idempotent. Refused (returns false) while in FAULT. */
    boolean raise();

    /**
     * Lower the arm, unless the safety loop reports a vehicle: then the arm stays up and is
     * lowered when the loop clears.
     *
     * @return true if the arm is being lowered now, false if held by the interlock or in FAULT
     */
    boolean lower();

    BarrierState state();

    /** Why the barrier is in FAULT, if it is. */
    Optional<String> fault();

    /** Clear a fault after a technician fixed it; the barrier returns to CLOSED. */
    void resetFault();

    /** Called on every state change, on a hardware or timer thread: keep it short. */
    void onStateChange(Consumer<BarrierState> listener);
}
