package org.openparking.firmware;

import java.util.function.Consumer;

/** A spot sensor over a {@link Debouncer}; the same for simulated and Pi4J inputs. */
record DebouncedSpotSensor(String spotId, Debouncer input) implements SpotSensor {
    @Override
    public boolean occupied() {
        return input.value();
    }

    @Override
    public void onChange(Consumer<Boolean> listener) {
        input.onChange(listener);
    }
}
