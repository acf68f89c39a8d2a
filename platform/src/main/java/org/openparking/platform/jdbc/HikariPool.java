package org.openparking.platform.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/** {@link PooledDataSource} on HikariCP and pgjdbc. */
final class HikariPool extends DelegatingDataSource implements PooledDataSource {
    private final HikariDataSource pool;
    private final String url;

    private HikariPool(HikariDataSource pool, String url) {
        super(pool);
        this.pool = pool;
        this.url = url;
    }

    static HikariPool create(PostgresSettings settings, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setMaximumPoolSize(settings.poolSize());
        config.setPoolName(name);
        config.setConnectionTimeout(settings.poolTimeout().toMillis());
        // A validity check must not use up the whole wait for a connection.
        config.setValidationTimeout(Math.min(2_000, settings.poolTimeout().toMillis()));
        config.setInitializationFailTimeout(-1);
        // pgjdbc takes whole seconds; URL parameters, where given, win over these.
        config.addDataSourceProperty("connectTimeout", String.valueOf(seconds(settings.connectTimeout())));
        config.addDataSourceProperty("socketTimeout", String.valueOf(seconds(settings.socketTimeout())));
        // JIT off: these are short OLTP statements, and compiling one cost more than running it (issue 16: 320 ms of a
        // 470 ms GET /lots).
        config.setConnectionInitSql("SET statement_timeout = " + settings.statementTimeout().toMillis()
                + "; SET jit = off");
        return new HikariPool(new HikariDataSource(config), settings.migrationsUrl());
    }

    @Override
    public int migrate(String location) {
        return Migrations.run(url, location);
    }

    @Override
    public void close() {
        pool.close();
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
