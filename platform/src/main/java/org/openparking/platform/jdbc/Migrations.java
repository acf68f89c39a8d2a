package org.openparking.platform.jdbc;

import org.flywaydb.core.Flyway;

/**
 * Flyway, the same way for both databases. Migrations get a connection of their own, outside the pool
 * and without its statement and socket timeouts: a long index build must not be cut off at start.
 */
final class Migrations {
    private Migrations() {
    }

    /** Applies the migrations under {@code location} (e.g. {@code classpath:db/migration}); returns how many ran. */
    static int run(String url, String location) {
        return Flyway.configure()
                .dataSource(url, null, null)
                .locations(location)
                .load()
                .migrate()
                .migrationsExecuted;
    }
}
