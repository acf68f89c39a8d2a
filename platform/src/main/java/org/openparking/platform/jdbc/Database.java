package org.openparking.platform.jdbc;

import java.util.concurrent.CompletableFuture;

/**
 * A SQLite file with one writer: every write transaction runs on the same connection behind a lock
 * (SQLite has one writer anyway, and serialising in Java avoids SQLITE_BUSY), reads on a few reader
 * connections that WAL lets run beside it. Failures surface as {@link StoreException}; exceptions the
 * work throws itself pass through unchanged, after the rollback. Concurrent writes share a commit (group
 * commit: each under its own savepoint, one fsync for all), and none returns before its commit is durable.
 */
public interface Database extends AutoCloseable {

    /** Opens (creating if needed) the file, runs the Flyway migrations under {@code migrations}, then connects. */
    static Database open(SqliteSettings settings, String migrations) {
        return SqliteDatabase.open(settings, migrations);
    }

    /**
     * Runs {@code work} in a write transaction, possibly shared with other callers' writes; returns once it is
     * committed and on disk. If it throws, its own changes are rolled back and the others' are not.
     */
    <T> T write(Work<T> work);

    /**
     * Queues {@code work} without waiting for it: for state that need not survive a power cut on its own (a
     * barrier movement). It rides in the commit of the next {@link #write}, or is committed on its own at most
     * a second later, so it costs no fsync of its own on a busy level. The future completes once it is
     * committed, or with its failure. Order with other writes is kept; {@link #close()} writes what is queued.
     */
    <T> CompletableFuture<T> writeDeferred(Work<T> work);

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
