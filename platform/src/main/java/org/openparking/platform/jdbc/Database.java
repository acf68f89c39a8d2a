package org.openparking.platform.jdbc;

/**
 * A SQLite file with one writer: every write transaction runs on the same connection behind a lock
 * (SQLite has one writer anyway, and serialising in Java avoids SQLITE_BUSY), reads on a few reader
 * connections that WAL lets run beside it. Failures surface as {@link StoreException}; exceptions the
 * work throws itself pass through unchanged, after the rollback.
 */
public interface Database extends AutoCloseable {

    /** Opens (creating if needed) the file, runs the Flyway migrations under {@code migrations}, then connects. */
    static Database open(SqliteSettings settings, String migrations) {
        return SqliteDatabase.open(settings, migrations);
    }

    /** Runs {@code work} in one write transaction; commits if it returns, rolls back if it throws. */
    <T> T write(Work<T> work);

    /** Runs {@code work} on a reader connection (a consistent snapshot per statement, WAL). */
    <T> T read(Work<T> work);

    /**
     * Runs {@code listener} after every committed write, on the writer's thread; it must not block.
     * The outbox relay uses it to pick up new rows at once instead of polling.
     */
    void afterCommit(Runnable listener);

    /** The JDBC URL, for tools and benchmarks that open their own connection. */
    String url();

    @Override
    void close();
}
