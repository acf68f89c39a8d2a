package org.openparking.cloud.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The PostgreSQL pool and its migrations. */
public final class Database {
    private Database() {
    }

    /** A HikariCP pool on {@code url}; connections are not auto-commit, so every write goes through {@link Jdbc}. */
    public static HikariDataSource pool(String url, int maxSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(maxSize);
        config.setPoolName("cloud-sync");
        // Short timeouts: a PostgreSQL outage must show up quickly as a failed (and re-queued) delivery.
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(2_000);
        // Start even when PostgreSQL is down; the consumer re-queues until it is back.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /** Applies the migrations under {@code db/migration}; returns how many ran. */
    public static int migrate(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate()
                .migrationsExecuted;
    }
}
