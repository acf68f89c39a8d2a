package org.openparking.platform.jdbc;

import javax.sql.DataSource;

/** A pool of PostgreSQL connections with the timeouts of its {@link PostgresSettings}. */
public interface PooledDataSource extends DataSource, AutoCloseable {

    /**
     * A pool on {@code settings}. It starts even when PostgreSQL is down (connections are made on demand),
     * so a service can come up and retry; {@code name} names its threads and metrics.
     */
    static PooledDataSource postgres(PostgresSettings settings, String name) {
        return HikariPool.create(settings, name);
    }

    /** Applies the Flyway migrations under {@code location}; returns how many ran. */
    int migrate(String location);

    @Override
    void close();
}
