package org.openparking.edge.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;

/**
 * The level's SQLite file. One writer connection behind a lock (SQLite has one writer anyway, and
 * serialising in Java avoids SQLITE_BUSY), a few reader connections that WAL lets run beside it.
 * {@code synchronous=FULL}: a transaction that returned is on disk, so an entry acknowledged with 201
 * survives a power cut, not just a process crash.
 */
public final class Database implements AutoCloseable {
    private static final int READERS = 4;

    private final String url;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();

    private Database(String url) throws SQLException {
        this.url = url;
        this.writer = open(url);
        for (int i = 0; i < READERS; i++) {
            readers.add(open(url));
        }
    }

    /** Opens (creating if needed) the database file and runs the migrations. */
    public static Database open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + file, e);
        }
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        migrate(url);
        try {
            return new Database(url);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + file, e);
        }
    }

    private static void migrate(String url) {
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/edge")
                .load()
                .migrate();
    }

    private static Connection open(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA foreign_keys=ON");
            s.execute("PRAGMA busy_timeout=5000");
        }
        return c;
    }

    /** The JDBC URL, for tools and benchmarks that open their own connection with the same pragmas. */
    public String url() {
        return url;
    }

    /** Runs {@code work} in one write transaction; commits if it returns, rolls back if it throws. */
    public <T> T write(Work<T> work) {
        writeLock.lock();
        try {
            writer.setAutoCommit(false);
            try {
                T result = work.run(writer);
                writer.commit();
                commitListeners.forEach(Runnable::run);
                return result;
            } catch (Exception e) {
                writer.rollback();
                throw e;
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("write transaction failed", e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs {@code listener} after every committed write, on the writer's thread; it must not block.
     * The outbox relay uses it to pick up new rows at once instead of polling.
     */
    public void afterCommit(Runnable listener) {
        commitListeners.add(listener);
    }

    /** Runs {@code work} on a reader connection (a consistent snapshot per statement, WAL). */
    public <T> T read(Work<T> work) {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a reader", e);
        }
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("read failed", e);
        } finally {
            readers.add(c);
        }
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            writer.close();
            for (Connection c : readers) {
                c.close();
            }
        } catch (SQLException e) {
            throw new StoreException("close failed", e);
        } finally {
            writeLock.unlock();
        }
    }

    /** A unit of JDBC work. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
