package org.openparking.platform.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite database on a real temp file: commit, rollback, listeners, the edge's pragmas. */
class SqliteDatabaseTest {
    private static final String MIGRATIONS = "classpath:db/platform-test";

    @TempDir
    Path dir;
    private Database db;

    @BeforeEach
    void open() {
        db = Database.open(new SqliteSettings(dir.resolve("sub/level.db"), Duration.ofSeconds(5)), MIGRATIONS);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aWriteThatReturnsIsCommittedAndVisibleToReaders() {
        db.write(c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "one"));
        assertThat(names(), contains("one"));
    }

    @Test
    void aWriteThatThrowsIsRolledBackAndItsExceptionPassesThrough() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> db.write(c -> {
            Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "one");
            throw new IllegalStateException("business rule");
        }));
        assertThat(thrown.getMessage(), is("business rule"));
        assertThat(names(), empty());
        // The writer is usable again, in auto-commit between transactions.
        db.write(c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 2, "two"));
        assertThat(names(), contains("two"));
    }

    @Test
    void aFailingStatementRollsBackTheWholeTransactionAsStoreException() {
        StoreException thrown = assertThrows(StoreException.class, () -> db.write(c -> {
            Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "one");
            return Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "duplicate");
        }));
        assertThat(thrown.getCause(), instanceOf(SQLException.class));
        assertThat(names(), empty());
    }

    @Test
    void commitListenersRunAfterCommittedWritesOnly() {
        AtomicInteger commits = new AtomicInteger();
        db.afterCommit(commits::incrementAndGet);
        db.write(c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "one"));
        assertThrows(StoreException.class,
                () -> db.write(c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "again")));
        assertThat(commits.get(), is(1));
    }

    @Test
    void everyConnectionHasTheCrashSafePragmas() {
        List<Object> writer = db.write(SqliteDatabaseTest::pragmas);
        List<Object> reader = db.read(SqliteDatabaseTest::pragmas);
        // WAL, synchronous FULL (2), foreign keys on, busy timeout in ms.
        assertThat(writer, is(List.of("wal", 2, 1, 5000)));
        assertThat(reader, is(writer));
    }

    @Test
    void reopeningRunsNoMigrationTwiceAndKeepsTheData() {
        db.write(c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "one"));
        db.close();
        db = Database.open(new SqliteSettings(dir.resolve("sub/level.db"), Duration.ofSeconds(5)), MIGRATIONS);
        assertThat(names(), contains("one"));
    }

    @Test
    void theSettingsMapTheSectionAndAWrongDurationNamesItsKey() {
        SqliteSettings s = SqliteSettings.create(Config.just(ConfigSources.create(Map.of(
                "edge.db-path", "./data/edge.db", "edge.db-busy-timeout", "PT2S"))).get("edge"));
        assertThat(s, is(new SqliteSettings(Path.of("./data/edge.db"), Duration.ofSeconds(2))));
        try (Database other = Database.open(s.withFile(dir.resolve("other.db")), MIGRATIONS)) {
            assertThat(other.read(SqliteDatabaseTest::pragmas).get(3), is(2000));
        }
        Exception e = assertThrows(Exception.class, () -> SqliteSettings.create(Config.just(ConfigSources.create(Map.of(
                "edge.db-path", "x.db", "edge.db-busy-timeout", "5000"))).get("edge")));
        assertThat(e.getMessage(), containsString("db-busy-timeout"));
    }

    private List<String> names() {
        return db.read(c -> Jdbc.query(c, "SELECT name FROM items ORDER BY id", rs -> rs.getString(1)));
    }

    private static List<Object> pragmas(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            return List.of(one(s, "PRAGMA journal_mode"), one(s, "PRAGMA synchronous"), one(s, "PRAGMA foreign_keys"),
                    one(s, "PRAGMA busy_timeout"));
        }
    }

    private static Object one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }
}
