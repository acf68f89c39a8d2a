package org.openparking.platform.jdbc;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;
import static org.openparking.platform.config.ConfigValues.text;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * A PostgreSQL connection pool. Every wait is bounded, so an unreachable or stuck database shows up as
 * a failed (and retried) operation within seconds instead of a hung thread.
 *
 * @param url              JDBC URL ({@code url})
 * @param poolSize         most connections ({@code pool-size})
 * @param connectTimeout   TCP connect to the server ({@code connect-timeout}, pgjdbc {@code connectTimeout})
 * @param socketTimeout    a read from the server, the guard against a dead peer ({@code socket-timeout},
 *                         pgjdbc {@code socketTimeout}); keep it above the statement timeout
 * @param statementTimeout a statement, cancelled by the server ({@code statement-timeout},
 *                         {@code statement_timeout}); a transaction may lift it for itself with
 *                         {@code SET LOCAL}
 * @param poolTimeout      waiting for a free pooled connection ({@code pool-timeout}, HikariCP
 *                         {@code connectionTimeout})
 * @param migrationUrl     JDBC URL the Flyway migrations run with ({@code migration-url}); empty: {@code url}. With
 *                         the least-privilege roles of {@code scripts/postgresql-roles.sql} this names the owner role
 *                         and {@code url} the application role, which can change no schema
 */
public record PostgresSettings(String url, int poolSize, Duration connectTimeout, Duration socketTimeout,
                               Duration statementTimeout, Duration poolTimeout, String migrationUrl) {
    public PostgresSettings(String url, int poolSize, Duration connectTimeout, Duration socketTimeout,
                            Duration statementTimeout, Duration poolTimeout) {
        this(url, poolSize, connectTimeout, socketTimeout, statementTimeout, poolTimeout, "");
    }

    public PostgresSettings {
        migrationUrl = migrationUrl == null ? "" : migrationUrl.trim();
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("db.url is required");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("db.pool-size must be at least 1, was " + poolSize);
        }
        positive(connectTimeout, "db.connect-timeout");
        positive(socketTimeout, "db.socket-timeout");
        positive(statementTimeout, "db.statement-timeout");
        positive(poolTimeout, "db.pool-timeout");
        if (poolTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("db.pool-timeout must be at least PT0.25S, was " + poolTimeout);
        }
    }

    /** Maps a service's {@code db} section. */
    public static PostgresSettings create(Config db) {
        return new PostgresSettings(text(db, "url"), integer(db, "pool-size"),
                duration(db, "connect-timeout"), duration(db, "socket-timeout"), duration(db, "statement-timeout"),
                duration(db, "pool-timeout"), db.get("migration-url").asString().orElse(""));
    }

    /** The same timeouts on another database or pool size. */
    public PostgresSettings with(String otherUrl, int otherPoolSize) {
        return new PostgresSettings(otherUrl, otherPoolSize, connectTimeout, socketTimeout, statementTimeout,
                poolTimeout, migrationUrl);
    }

    /** The same settings with another statement timeout. */
    public PostgresSettings withStatementTimeout(Duration timeout) {
        return new PostgresSettings(url, poolSize, connectTimeout, socketTimeout, timeout, poolTimeout, migrationUrl);
    }

    /** The URL the migrations run with: {@code migrationUrl}, or {@code url} when that is empty. */
    public String migrationsUrl() {
        return migrationUrl.isEmpty() ? url : migrationUrl;
    }

    /** Without the URL's password, so a config dump never leaks it. */
    @Override
    public String toString() {
        return "PostgresSettings[url=" + redact(url)
                + ", poolSize=" + poolSize + ", connectTimeout=" + connectTimeout + ", socketTimeout=" + socketTimeout
                + ", statementTimeout=" + statementTimeout + ", poolTimeout=" + poolTimeout
                + (migrationUrl.isEmpty() ? "" : ", migrationUrl=" + redact(migrationUrl)) + "]";
    }

    private static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
    }

    private static void positive(Duration d, String key) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + d);
        }
    }
}
