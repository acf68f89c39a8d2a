package org.openparking.platform.config;

import java.util.Objects;

/**
 * A configuration mistake: a missing or unreadable {@code PARKING_CONFIG} file, a missing key or a value that does
 * not parse. The message starts with the key, so the one log line {@link ParkingConfig#orExit} writes tells the
 * operator what to fix. An {@link IllegalArgumentException}, like the checks of the settings records' constructors.
 */
public final class ConfigException extends IllegalArgumentException {
    private final String key;

    public ConfigException(String key, String problem) {
        super(Objects.requireNonNull(key, "key") + " " + problem);
        this.key = key;
    }

    public ConfigException(String key, String problem, Throwable cause) {
        super(Objects.requireNonNull(key, "key") + " " + problem, cause);
        this.key = key;
    }

    /** The configuration key (or {@code PARKING_CONFIG}) at fault. */
    public String key() {
        return key;
    }
}
