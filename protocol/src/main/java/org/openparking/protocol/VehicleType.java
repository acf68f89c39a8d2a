package org.openparking.protocol;

/** Spot and vehicle categories. A vehicle of a type parks in a spot of the same type. */
public enum VehicleType {
    STANDARD, COMPACT, DISABLED, EV
}
