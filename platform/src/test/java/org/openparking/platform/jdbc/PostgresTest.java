package org.openparking.platform.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.testing.TestDatabase;

/** The PostgreSQL pool on a real database: commit, rollback, and timeouts that fire. */
class PostgresTest {
    private static final String MIGRATIONS = "classpath:db/platform-test";

    private TestDatabase database;
    private PooledDataSource pool;

    @BeforeEach
    void create() {
        database = TestDatabase.create();
        pool = PooledDataSource.postgres(settings(Duration.ofMillis(200)), "platform-test");
    }

    @AfterEach
    void drop() {
        pool.close();
        database.close();
    }

    private PostgresSettings settings(Duration statementTimeout) {
        return new PostgresSettings(database.url(), 2, Duration.ofSeconds(2), Duration.ofSeconds(10), statementTimeout,
                Duration.ofSeconds(2));
    }

    @Test
    void migrationsRunOnceAndATransactionThatReturnsIsCommitted() throws SQLException {
        assertThat(pool.migrate(MIGRATIONS), is(1));
        assertThat(pool.migrate(MIGRATIONS), is(0));
        Jdbc.inTransaction(pool, c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "one"));
        assertThat(names(), contains("one"));
    }

    @Test
    void aTransactionThatThrowsIsRolledBack() throws SQLException {
        pool.migrate(MIGRATIONS);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Jdbc.inTransaction(pool, c -> {
            Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "one");
            throw new IllegalStateException("business rule");
        }));
        assertThat(thrown.getMessage(), is("business rule"));
        assertThat(names(), empty());
    }

    @Test
    void aFailingStatementRollsBackTheWholeTransaction() throws SQLException {
        pool.migrate(MIGRATIONS);
        SQLException thrown = assertThrows(SQLException.class, () -> Jdbc.inTransaction(pool, c -> {
            Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "one");
            return Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "duplicate");
        }));
        assertThat(thrown.getSQLState(), is("23505"));
        assertThat(Jdbc.isDataError(thrown), is(true));
        assertThat(names(), empty());
    }

    @Test
    void aStatementOverTheTimeoutIsCancelledByTheServerWithAClearError() {
        long start = System.nanoTime();
        SQLException thrown = assertThrows(SQLException.class,
                () -> Jdbc.read(pool, c -> Jdbc.query(c, "SELECT pg_sleep(60)", rs -> null)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(thrown.getSQLState(), is("57014"));
        assertThat(thrown.getMessage(), containsString("statement timeout"));
        // Cut short, not slept out: half the sleep is a bound no machine load reaches.
        assertThat(tookMs, lessThan(30_000L));
        // Not a data error: a consumer re-queues instead of dead-lettering.
        assertThat(Jdbc.isDataError(thrown), is(false));
    }

    @Test
    void aTransactionMayLiftTheStatementTimeoutForItself() throws SQLException {
        Jdbc.inTransaction(pool, c -> {
            Jdbc.update(c, "SET LOCAL statement_timeout = 2000");
            return Jdbc.query(c, "SELECT pg_sleep(0.4)", rs -> null);
        });
        // ...and the pool's timeout is back for the next transaction on the same connection.
        assertThrows(SQLException.class, () -> Jdbc.read(pool, c -> Jdbc.query(c, "SELECT pg_sleep(0.4)", rs -> null)));
    }

    @Test
    void aHeldTransactionCommitsOrRollsBackOnCloseAndGivesItsConnectionBack() throws SQLException {
        pool.migrate(MIGRATIONS);
        try (Transaction tx = Jdbc.begin(pool)) {
            Jdbc.update(tx.connection(), "INSERT INTO items (id, name) VALUES (?, ?)", 1, "kept");
            tx.commit();
        }
        try (Transaction tx = Jdbc.begin(pool)) {
            Jdbc.update(tx.connection(), "INSERT INTO items (id, name) VALUES (?, ?)", 2, "dropped");
        }
        // The pool has two connections: a leaked one would make the third and fourth begin wait and fail.
        for (int i = 0; i < 4; i++) {
            Jdbc.begin(pool).close();
        }
        assertThat(names(), contains("kept"));
    }

    @Test
    void theSettingsMapTheDbSectionWithIsoDurations() {
        PostgresSettings s = PostgresSettings.create(io.helidon.config.Config.just(
                io.helidon.config.ConfigSources.create(java.util.Map.of("db.url", "jdbc:postgresql://h/x?password=secret",
                        "db.pool-size", "3", "db.connect-timeout", "PT5S", "db.socket-timeout", "PT1M",
                        "db.statement-timeout", "PT30S", "db.pool-timeout", "PT0.5S"))).get("db"));
        assertThat(s, is(new PostgresSettings("jdbc:postgresql://h/x?password=secret", 3, Duration.ofSeconds(5),
                Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofMillis(500))));
        assertThat(s.toString(), containsString("password=***"));
        assertThrows(IllegalArgumentException.class, () -> s.withStatementTimeout(Duration.ZERO));
    }

    private List<String> names() throws SQLException {
        return Jdbc.read(pool, c -> Jdbc.query(c, "SELECT name FROM items ORDER BY id", rs -> rs.getString(1)));
    }
}
