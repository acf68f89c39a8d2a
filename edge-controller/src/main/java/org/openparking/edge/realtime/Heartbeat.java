package org.openparking.edge.realtime;

import java.time.Clock;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.platform.jdbc.Database;

/**
 * Every heartbeat, checks that the in-memory availability is the committed one (one tiny query), reloads it
 * if the database is ahead, and confirms it on the feed. When the database cannot be read nothing is
 * confirmed, so signs and consoles go stale instead of showing a number nobody can vouch for.
 */
final class Heartbeat implements Runnable {
    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    private final Database db;
    private final Occupancy occupancy;
    private final LevelAvailability board;
    private final LiveFeed feed;
    private final Clock clock;
    private boolean failing;

    Heartbeat(Database db, Occupancy occupancy, LevelAvailability board, LiveFeed feed, Clock clock) {
        this.db = db;
        this.occupancy = occupancy;
        this.board = board;
        this.feed = feed;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            long stored = db.read(Occupancy::storedVersion);
            Availability shown = board.current();
            if (shown == null || stored > shown.version()) {
                // A publish was lost (it never should be): the database is the truth.
                LOG.warning(() -> "availability in memory was behind the database, reloading version " + stored);
                board.publish(db.read(occupancy::load));
            }
            Instant now = clock.instant();
            if (failing) {
                LOG.info("availability heartbeat recovered");
                failing = false;
            }
            feed.heartbeat(now);
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(Level.SEVERE, "availability cannot be confirmed; signs will blank", e);
                failing = true;
            }
        }
    }
}
