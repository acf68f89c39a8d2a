package org.openparking.edge.occupancy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.platform.jdbc.Database;
import org.openparking.firmware.SpotSensor;
import org.openparking.protocol.VehicleType;

/**
 * Stores per-spot sensor readings (already debounced by firmware-interface) and recomputes the level's
 * availability with each, in one transaction with the outbox row.
 */
public final class SpotTracker {
    private static final Logger LOG = Logger.getLogger(SpotTracker.class.getName());

    private final Database db;
    private final Occupancy occupancy;
    private final LevelAvailability board;
    private final Clock clock;

    public SpotTracker(Database db, Occupancy occupancy, LevelAvailability board, Clock clock) {
        this.db = db;
        this.occupancy = occupancy;
        this.board = board;
        this.clock = clock;
    }

    /** A spot as {@code GET /spots} shows it. */
    public record SpotView(String spotId, VehicleType type, boolean occupied, Instant updatedAt) {
    }

    /** Subscribes to every sensor and brings the stored state in line with what they read now. */
    public void attach(List<SpotSensor> sensors) {
        for (SpotSensor sensor : sensors) {
            sensor.onChange(occupied -> update(sensor.spotId(), occupied));
            update(sensor.spotId(), sensor.occupied());
        }
    }

    public void update(String spotId, boolean occupied) {
        try {
            Availability a = db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE spots SET occupied = ?, updated_at = ? WHERE spot_id = ? AND occupied <> ?")) {
                    ps.setInt(1, occupied ? 1 : 0);
                    ps.setString(2, clock.instant().toString());
                    ps.setString(3, spotId);
                    ps.setInt(4, occupied ? 1 : 0);
                    if (ps.executeUpdate() == 0) {
                        return null;
                    }
                }
                return occupancy.refresh(c);
            });
            if (a != null) {
                board.publish(a);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "could not store sensor reading of spot " + spotId, e);
        }
    }

    public List<SpotView> spots() {
        return db.read(c -> {
            List<SpotView> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT spot_id, type, occupied, updated_at FROM spots ORDER BY spot_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new SpotView(rs.getString(1), VehicleType.valueOf(rs.getString(2)), rs.getInt(3) == 1,
                            Instant.parse(rs.getString(4))));
                }
            }
            return result;
        });
    }
}
