package org.openparking.platform.jdbc;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.text;

import io.helidon.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A SQLite database file.
 *
 * @param file        the database file, created with its directory when missing ({@code db-path})
 * @param busyTimeout how long a statement waits for another process's lock before SQLITE_BUSY
 *                    ({@code db-busy-timeout}; in-process writers never wait, they share one connection)
 */
public record SqliteSettings(Path file, Duration busyTimeout) {
    public SqliteSettings {
        Objects.requireNonNull(file, "db-path");
        Objects.requireNonNull(busyTimeout, "db-busy-timeout");
        if (busyTimeout.isNegative()) {
            throw new IllegalArgumentException("db-busy-timeout must not be negative, was " + busyTimeout);
        }
    }

    /** Maps the section holding {@code db-path} and {@code db-busy-timeout} (the edge's {@code edge}). */
    public static SqliteSettings create(Config section) {
        return new SqliteSettings(Path.of(text(section, "db-path")), duration(section, "db-busy-timeout"));
    }

    /** The same settings on another file. */
    public SqliteSettings withFile(Path other) {
        return new SqliteSettings(other, busyTimeout);
    }
}
