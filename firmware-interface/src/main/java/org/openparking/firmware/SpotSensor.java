package org.openparking.firmware;

import java.util.function.Consumer;

/** A per-spot occupancy sensor (ultrasonic or magnetic), debounced like the loops. */
public interface SpotSensor {
    String spotId();

    boolean occupied();

    void onChange(Consumer<Boolean> listener);
}
