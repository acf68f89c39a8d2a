package org.openparking.cloud.live;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.DelegatingDataSource;

/**
 * The pool as the API's reads see it ({@code /edges}, drift, sessions, the polled views' renders, the gateway's
 * lookups): a bounded queue in front of it, so that under load reads wait their turn instead of failing.
 * <ul>
 *   <li>At most {@code concurrent} reads hold a pooled connection at once; the rest of the pool stays free for
 *       the ingest and for writes.</li>
 *   <li>A read waits for its turn, and then for a connection, up to {@code wait} in all ({@code live.read-wait}):
 *       the pool's own timeout ({@code db.pool-timeout}) stays short for the ingest, which hands a delivery back
 *       rather than wait. A pool timeout while PostgreSQL answers (the pool is busy, no connection failed) is
 *       waited through; one that comes with a connection failure (PostgreSQL is down) is not, so an outage is
 *       still a prompt 503.</li>
 *   <li>At most {@code queue} reads wait ({@code live.read-queue}); one more fails at once, as does one that has
 *       waited {@code wait}: a 503 with {@code Retry-After}, not an unbounded pile of threads.</li>
 * </ul>
 */
public final class QueuedReads extends DelegatingDataSource {
    private final Semaphore turns;
    private final Semaphore waiting;
    private final int queue;
    private final Duration wait;

    public QueuedReads(DataSource pool, int concurrent, int queue, Duration wait) {
        super(pool);
        if (concurrent < 1 || queue < 1) {
            throw new IllegalArgumentException("concurrent and queue must be at least 1");
        }
        this.turns = new Semaphore(concurrent, true);
        this.waiting = new Semaphore(queue);
        this.queue = queue;
        this.wait = wait;
    }

    /** Reads waiting now, for their turn or for a connection. */
    public int waiting() {
        return queue - waiting.availablePermits();
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (!waiting.tryAcquire()) {
            throw new SQLTransientConnectionException("too many reads waiting for the database", "53300");
        }
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            if (!turns.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new SQLTransientConnectionException("no turn for a read within " + wait, "53300");
            }
            try {
                Connection c = connection(deadline);
                return returning(c);
            } catch (SQLException | RuntimeException e) {
                turns.release();
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted waiting for a read's turn", "57014", e);
        } finally {
            waiting.release();
        }
    }

    private Connection connection(long deadline) throws SQLException {
        while (true) {
            try {
                return delegate.getConnection();
            } catch (SQLTransientConnectionException e) {
                // No cause: every connection is busy and none failed. A cause: the database is not answering.
                if (e.getCause() != null || System.nanoTime() >= deadline) {
                    throw e;
                }
            }
        }
    }

    /** The connection, giving the read's turn back once (when it is closed). */
    private Connection returning(Connection c) {
        AtomicBoolean returned = new AtomicBoolean();
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0) {
                try {
                    c.close();
                } finally {
                    if (returned.compareAndSet(false, true)) {
                        turns.release();
                    }
                }
                return null;
            }
            if (method.getName().equals("unwrap") && args != null && args[0] instanceof Class<?> k
                    && k.isInstance(proxy)) {
                return proxy;
            }
            return invoke(c, method, args);
        };
        return (Connection) Proxy.newProxyInstance(QueuedReads.class.getClassLoader(),
                new Class<?>[] {Connection.class}, h);
    }

    private static Object invoke(Connection c, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(c, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
