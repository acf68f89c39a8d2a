package org.openparking.platform.jdbc;

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

/**
 * {@link Database} on a SQLite file. {@code synchronous=FULL}: a transaction that returned is on disk,
 * so an entry acknowledged with 201 survives a power cut, not just a process crash.
 */
final class SqliteDatabase implements Database {
    private static final int READERS = 4;

    private final String url;
    private final SqliteSettings settings;
    private Connection writer; // guarded by writeLock
    private boolean closed; // guarded by writeLock: a closed database stays closed, writes keep failing
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();

    private SqliteDatabase(String url, SqliteSettings settings) throws SQLException {
        this.url = url;
        this.settings = settings;
        this.writer = connect(url, settings);
        for (int i = 0; i < READERS; i++) {
            readers.add(connect(url, settings));
        }
    }

    static Database open(SqliteSettings settings, String migrations) {
        Path file = settings.file();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + file, e);
        }
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        Migrations.run(url, migrations);
        try {
            return new SqliteDatabase(url, settings);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + file, e);
        }
    }

    private static Connection connect(String url, SqliteSettings settings) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA foreign_keys=ON");
            s.execute("PRAGMA busy_timeout=" + settings.busyTimeout().toMillis());
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public <T> T write(Work<T> work) {
        writeLock.lock();
        try {
            T result = Jdbc.inTransaction(writer, work);
            commitListeners.forEach(Runnable::run);
            return result;
        } catch (SQLException e) {
            reopenWriter(e);
            throw new StoreException("write transaction failed", e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * After a failed write the driver's idea of the transaction cannot be trusted: when COMMIT fails
     * (SQLITE_FULL on a full disk) SQLite has already rolled back, the driver's ROLLBACK then fails too,
     * and the connection went on in auto-commit, every later statement committed on its own while the
     * caller was told nothing changed. A fresh connection is a known state; if it cannot be opened now
     * (the disk is still full), the next write fails and tries again.
     */
    private void reopenWriter(SQLException cause) {
        if (closed) {
            return;
        }
        try {
            writer.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
        try {
            writer = connect(url, settings);
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void afterCommit(Runnable listener) {
        commitListeners.add(listener);
    }

    @Override
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
            closed = true;
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
}
