package org.openparking.cloud.history;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;

/**
 * Keeps history small: minute buckets for {@link #MINUTES_KEPT} (the 24-hour charts and their carry-in), hour
 * buckets for {@link #HOURS_KEPT} (the 7-day charts). Run every {@code every}; each run is two indexed deletes.
 */
public final class HistoryRetention implements AutoCloseable {
    public static final Duration MINUTES_KEPT = Duration.ofHours(26);
    public static final Duration HOURS_KEPT = Duration.ofDays(8);
    private static final Logger LOG = Logger.getLogger(HistoryRetention.class.getName());

    private final DataSource dataSource;
    private final Clock clock;
    private ScheduledExecutorService timer;

    public HistoryRetention(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public HistoryRetention start(Duration every) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "history-retention");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                prune();
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.WARNING, "cannot prune old history buckets (retried next run)", e);
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Deletes the buckets past their retention; returns how many rows went. */
    public int prune() throws SQLException {
        Instant now = clock.instant();
        return Jdbc.inTransaction(dataSource, c -> {
            int n = 0;
            for (String table : new String[] {"occupancy_history", "edge_health_history"}) {
                n += Jdbc.update(c, "DELETE FROM " + table + " WHERE resolution = 'm' AND bucket_at < ?",
                        now.minus(MINUTES_KEPT));
                n += Jdbc.update(c, "DELETE FROM " + table + " WHERE resolution = 'h' AND bucket_at < ?",
                        now.minus(HOURS_KEPT));
            }
            return n;
        });
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
