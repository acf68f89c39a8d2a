package org.openparking.firmware;

import java.util.function.Consumer;

/** A loop detector over a {@link Debouncer}; the same for simulated and Pi4J inputs. */
record DebouncedDetector(String laneId, Kind kind, Debouncer input) implements VehicleDetector {
    @Override
    public boolean present() {
        return input.value();
    }

    @Override
    public void onChange(Consumer<Boolean> listener) {
        input.onChange(listener);
    }
}
