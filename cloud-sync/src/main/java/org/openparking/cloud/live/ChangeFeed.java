package org.openparking.cloud.live;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.platform.jdbc.PostgresSettings;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Changes committed by any cloud-sync instance, pushed by PostgreSQL ({@code LISTEN}/{@code NOTIFY}: triggers
 * announce them at commit, see V110). One connection of its own, outside the pool, listens; each channel has a
 * {@link Subscriber}. After every (re)connect each subscriber resynchronises from the tables, since whatever was
 * announced while not listening is gone; while the connection is down subscribers are told it is lost, so they
 * can stop trusting what they hold.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChangeFeed.class.getName());
    private static final int WAIT_MILLIS = 500;
    private static final Duration PROBE_EVERY = Duration.ofSeconds(10);

    /** What listens on one channel. Called on the feed's thread only. */
    public interface Subscriber {
        /** Listening (again): reload everything from the tables on {@code c}; announcements follow. */
        void resync(Connection c) throws SQLException;

        /** One announcement on the channel, its payload as the trigger wrote it. */
        void notified(String payload);

        /** Not listening any more until the next {@link #resync}. */
        void lost();
    }

    private final PostgresSettings db;
    private final Map<String, Subscriber> subscribers = new TreeMap<>();
    private final Duration retry;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean live;
    private volatile Connection connection;

    public ChangeFeed(PostgresSettings db, Duration retry) {
        this.db = db;
        this.retry = retry;
        this.thread = Thread.ofPlatform().daemon().name("cloud-sync-change-feed").unstarted(this::run);
    }

    /** Adds a channel's subscriber; before {@link #start}. */
    public ChangeFeed subscribe(String channel, Subscriber subscriber) {
        if (!channel.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        subscribers.put(channel, subscriber);
        return this;
    }

    public ChangeFeed start() {
        thread.start();
        return this;
    }

    /** Whether the feed is listening and every subscriber has resynchronised. */
    public boolean isLive() {
        return live;
    }

    private void run() {
        while (!closed) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    for (String channel : subscribers.keySet()) {
                        s.execute("LISTEN " + channel);
                    }
                }
                // Listening before the reload: a change committed in between is announced and applied twice.
                for (Subscriber s : subscribers.values()) {
                    s.resync(c);
                }
                live = true;
                LOG.info(() -> "listening on " + subscribers.keySet());
                PGConnection pg = c.unwrap(PGConnection.class);
                long checked = System.nanoTime();
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
                    if (System.nanoTime() - checked > PROBE_EVERY.toNanos()) {
                        // Waiting for announcements reads nothing from a dead server: ask it something now and then.
                        try (Statement s = c.createStatement()) {
                            s.execute("SELECT 1");
                        }
                        checked = System.nanoTime();
                    }
                    if (notes == null) {
                        continue;
                    }
                    for (PGNotification n : notes) {
                        Subscriber s = subscribers.get(n.getName());
                        if (s != null) {
                            dispatch(s, n);
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "change feed lost its connection; retrying in " + retry, e);
                }
            } finally {
                connection = null;
                if (live) {
                    live = false;
                    subscribers.values().forEach(Subscriber::lost);
                }
            }
            if (!closed) {
                try {
                    Thread.sleep(retry);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void dispatch(Subscriber s, PGNotification n) {
        try {
            s.notified(n.getParameter());
        } catch (RuntimeException e) {
            // One bad announcement must not stop the feed; the row itself is still in its table.
            LOG.log(Level.WARNING, "cannot apply announcement on " + n.getName() + ": " + n.getParameter(), e);
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("connectTimeout", String.valueOf(Math.max(1, db.connectTimeout().toSeconds())));
        p.setProperty("socketTimeout", String.valueOf(Math.max(1, db.socketTimeout().toSeconds())));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "cloud-sync-change-feed");
        return DriverManager.getConnection(db.url(), p);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.log(Level.FINE, "closing the change feed", e);
            }
        }
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
