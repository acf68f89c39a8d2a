package org.openparking.firmware;

/** Builds a level's hardware for the configured mode. */
public final class HardwareFactory {
    private HardwareFactory() {
    }

    public static LevelHardware create(HardwareConfig config) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
