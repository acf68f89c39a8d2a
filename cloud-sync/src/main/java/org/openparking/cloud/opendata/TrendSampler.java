package org.openparking.cloud.opendata;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;

/**
 * Samples every level's free count into {@code open_data_samples} each {@code sample-interval} (one statement
 * that copies changed versions, so ingest is never waited on), and answers what the free count was a trend
 * window ago.
 */
public final class TrendSampler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrendSampler.class.getName());

    private final DataSource dataSource;
    private final OpenDataSettings settings;
    private final Clock clock;
    private ScheduledExecutorService timer;

    public TrendSampler(DataSource dataSource, OpenDataSettings settings, Clock clock) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.clock = clock;
    }

    public TrendSampler start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "open-data-sampler");
            t.setDaemon(true);
            return t;
        });
        long every = settings.sampleInterval().toMillis();
        timer.scheduleWithFixedDelay(this::sampleLogged, 0, every, TimeUnit.MILLISECONDS);
        return this;
    }

    private void sampleLogged() {
        try {
            sample();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot sample level counts for the trend (retried next interval)", e);
        }
    }

    /** Records each level version not sampled yet, and drops samples older than two windows. */
    public int sample() throws SQLException {
        Instant now = clock.instant();
        return Jdbc.inTransaction(dataSource, c -> {
            int added = Jdbc.update(c, """
                    INSERT INTO open_data_samples (lot_id, level_id, version, free, capacity, sampled_at)
                    SELECT lot_id, level_id, version, free, capacity, ? FROM levels
                    ON CONFLICT (lot_id, level_id, version) DO NOTHING""", now);
            Jdbc.update(c, "DELETE FROM open_data_samples WHERE sampled_at < ?",
                    now.minus(settings.trendWindow().multipliedBy(2)));
            return added;
        });
    }

    /**
     * Per {@code lot/level}: the free count a trend window ago (the newest sample at or before then), or, for a
     * level sampled for less than a window, its oldest sample.
     */
    public Map<String, Integer> pastFree(Set<String> lots) throws SQLException {
        Instant cutoff = clock.instant().minus(settings.trendWindow());
        Map<String, Integer> past = new HashMap<>();
        Jdbc.read(dataSource, c -> {
            Jdbc.query(c, """
                    SELECT DISTINCT ON (lot_id, level_id) lot_id, level_id, free FROM open_data_samples
                    WHERE lot_id = ANY (?::text[]) ORDER BY lot_id, level_id, sampled_at ASC, version ASC""",
                    rs -> past.put(rs.getString(1) + "/" + rs.getString(2), rs.getInt(3)),
                    (Object) Jdbc.textArray(lots));
            Jdbc.query(c, """
                    SELECT DISTINCT ON (lot_id, level_id) lot_id, level_id, free FROM open_data_samples
                    WHERE lot_id = ANY (?::text[]) AND sampled_at <= ?
                    ORDER BY lot_id, level_id, sampled_at DESC, version DESC""",
                    rs -> past.put(rs.getString(1) + "/" + rs.getString(2), rs.getInt(3)),
                    Jdbc.textArray(lots), cutoff);
            return null;
        });
        return past;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
