package org.openparking.edge.lane;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.outbox.Outbox;
import org.openparking.platform.jdbc.Database;
import org.openparking.protocol.LaneChanged;

/**
 * Stores each barrier movement with its {@code lane.changed} event, so the cloud sees lanes too. Deferred
 * ({@link Database#writeDeferred}): a movement rides in the next entry's or exit's commit instead of costing
 * an fsync of its own, and the lane's thread does not wait for the disk. A power cut may lose the last
 * second of movements; nothing depends on them (the barrier is read from the hardware at start, and a car's
 * entry and exit are written durably on their own).
 */
public final class LaneStateRecorder {
    private static final Logger LOG = Logger.getLogger(LaneStateRecorder.class.getName());

    private final Database db;
    private final Outbox outbox;
    private final Clock clock;
    private final Map<String, String> lastBarrier = new ConcurrentHashMap<>();

    public LaneStateRecorder(Database db, Outbox outbox, Clock clock) {
        this.db = db;
        this.outbox = outbox;
        this.clock = clock;
    }

    public void record(LaneView view) {
        if (view.barrier().equals(lastBarrier.put(view.laneId(), view.barrier()))) {
            return;
        }
        java.time.Instant at = clock.instant(); // the movement's time, not the later commit's
        try {
            db.writeDeferred(c -> {
                long version;
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE lanes SET barrier = ?, version = version + 1, updated_at = ? WHERE lane_id = ?"
                                + " RETURNING version")) {
                    ps.setString(1, view.barrier());
                    ps.setString(2, at.toString());
                    ps.setString(3, view.laneId());
                    try (var rs = ps.executeQuery()) {
                        version = rs.next() ? rs.getLong(1) : 0;
                    }
                }
                outbox.append(c, new LaneChanged(view.laneId(), view.barrier(), version, at));
                return null;
            }).whenComplete((ignored, e) -> {
                if (e != null) {
                    // A lost lane-state row is not worth failing a barrier movement for; the next one is recorded.
                    LOG.log(Level.WARNING, "could not record lane state of " + view.laneId(), e);
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record lane state of " + view.laneId(), e);
        }
    }
}
