package org.openparking.firmware;

import java.util.function.Consumer;

/**
 * An inductive loop. The arming loop sits before the barrier (a car is waiting), the safety loop
 * under it (a car is passing). Changes are debounced: a glitch shorter than the configured
 * debounce time is never reported.
 */
public interface VehicleDetector {
    String laneId();

    Kind kind();

    /** Debounced: is a vehicle over the loop now. */
    boolean present();

    /** Called with the new debounced value on every change. */
    void onChange(Consumer<Boolean> listener);

    enum Kind { ARMING, SAFETY }
}
