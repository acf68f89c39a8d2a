package org.openparking.firmware;

/** Where a barrier arm is. FAULT: the drive reported a fault or the arm did not reach its end position in time. */
public enum BarrierState {
    CLOSED, OPENING, OPEN, CLOSING, FAULT
}
