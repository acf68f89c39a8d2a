package org.openparking.platform.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Database} on a SQLite file. {@code synchronous=FULL}: a transaction that returned is on disk,
 * so an entry acknowledged with 201 survives a power cut, not just a process crash.
 *
 * <p>Group commit: a write is queued as a unit of work; whichever caller holds the writer lock applies every
 * queued unit in one transaction, each under a savepoint (a unit that throws is rolled back alone and gets
 * its exception; the others still commit), then commits once (one fsync) and completes them all. While one
 * group is being made durable the next one gathers, so concurrent lanes share fsyncs, and no caller
 * returns before its own unit is durable. A lone write is a transaction of its own, as before.
 */
final class SqliteDatabase implements Database {
    private static final int READERS = 4;
    /** Units in one transaction at most: bounds how long the first of them waits for the commit. */
    private static final int MAX_GROUP = 64;
    /** How long a deferred write waits for a durable one to carry it before it is committed on its own. */
    private static final Duration DEFERRED_DELAY = Duration.ofSeconds(1);

    private final String url;
    private final SqliteSettings settings;
    private Connection writer; // guarded by writeLock: replaced after a failed write transaction
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final ConcurrentLinkedQueue<Unit<?>> queue = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService deferredFlush = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sqlite-deferred-writes");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile boolean closed;

    /** One caller's work and, once its group committed or failed, its outcome. */
    private record Unit<T>(Work<T> work, CompletableFuture<T> outcome) {
    }

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
        if (writeLock.isHeldByCurrentThread()) {
            // it would wait for the transaction it is part of
            throw new IllegalStateException("a write inside a write or a commit listener");
        }
        Unit<T> unit = enqueue(work);
        writeLock.lock();
        try {
            // the previous holder may have applied this unit already, in its group
            if (!unit.outcome().isDone()) {
                applyQueued();
            }
        } finally {
            writeLock.unlock();
        }
        try {
            return unit.outcome().join();
        } catch (CompletionException e) {
            throw rethrow(e.getCause());
        }
    }

    @Override
    public <T> CompletableFuture<T> writeDeferred(Work<T> work) {
        Unit<T> unit = enqueue(work);
        if (flushScheduled.compareAndSet(false, true)) {
            deferredFlush.schedule(this::flushDeferred, DEFERRED_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
        return unit.outcome();
    }

    /** Units waiting for a group: lets a test hold the writer and see the next group gather. */
    int queued() {
        return queue.size();
    }

    private <T> Unit<T> enqueue(Work<T> work) {
        if (closed) {
            throw new StoreException("the database is closed", null);
        }
        Unit<T> unit = new Unit<>(work, new CompletableFuture<>());
        queue.add(unit);
        return unit;
    }

    private void flushDeferred() {
        flushScheduled.set(false);
        writeLock.lock();
        try {
            applyQueued();
        } finally {
            writeLock.unlock();
        }
    }

    /** Under the write lock: applies the queued units in groups until the queue is empty. */
    private void applyQueued() {
        while (!queue.isEmpty()) {
            List<Unit<?>> group = new ArrayList<>();
            for (Unit<?> u; group.size() < MAX_GROUP && (u = queue.poll()) != null; ) {
                group.add(u);
            }
            applyGroup(group);
        }
    }

    private void applyGroup(List<Unit<?>> group) {
        List<Object> results = new ArrayList<>(group.size());
        List<Throwable> failures = new ArrayList<>(group.size());
        boolean committed = false;
        Throwable groupFailure = null;
        try {
            writer.setAutoCommit(false);
            try {
                for (Unit<?> unit : group) {
                    run(unit, group.size() > 1, results, failures);
                }
                writer.commit();
                committed = true;
            } catch (Throwable e) {
                groupFailure = e;
                Jdbc.rollbackQuietly(writer, e);
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (groupFailure == null) {
                groupFailure = e;
            }
            committed = false;
        }
        if (committed) {
            commitListeners.forEach(Runnable::run);
        } else if (groupFailure instanceof SQLException e) {
            reopenWriter(e);
        }
        for (int i = 0; i < group.size(); i++) {
            @SuppressWarnings("unchecked")
            CompletableFuture<Object> outcome = (CompletableFuture<Object>) group.get(i).outcome();
            Throwable own = i < failures.size() ? failures.get(i) : null;
            if (own != null) {
                outcome.completeExceptionally(own);
            } else if (committed) {
                outcome.complete(results.get(i));
            } else {
                outcome.completeExceptionally(groupFailure);
            }
        }
    }

    /**
     * Runs one unit; alone in its transaction without a savepoint (its failure fails the transaction, which
     * is its own), in a group under one (its failure rolls back only its own statements).
     */
    private void run(Unit<?> unit, boolean grouped, List<Object> results, List<Throwable> failures)
            throws SQLException {
        if (!grouped) {
            results.add(unit.work().run(writer));
            failures.add(null);
            return;
        }
        Savepoint savepoint = writer.setSavepoint();
        try {
            results.add(unit.work().run(writer));
            failures.add(null);
            writer.releaseSavepoint(savepoint);
        } catch (Throwable e) {
            // a rollback that fails leaves the transaction in doubt: the whole group fails
            writer.rollback(savepoint);
            results.add(null);
            failures.add(e);
        }
    }

    /**
     * After a failed write transaction the driver's idea of the transaction cannot be trusted: when COMMIT
     * fails (SQLITE_FULL on a full disk) SQLite has already rolled back, the driver's ROLLBACK then fails too,
     * and the connection went on in auto-commit, every later statement committed on its own while the caller
     * was told nothing changed. A fresh connection is a known state; if it cannot be opened now (the disk is
     * still full), the next write fails and tries again. A closed database is not reopened.
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

    private static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof SQLException e) {
            return new StoreException("write transaction failed", e);
        }
        if (failure instanceof RuntimeException e) {
            return e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return new StoreException("write transaction failed", failure);
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
            applyQueued(); // deferred units still waiting are written, not dropped
            deferredFlush.shutdownNow();
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
