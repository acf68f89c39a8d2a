package org.openparking.edge.occupancy;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.platform.jdbc.Database;
import org.openparking.firmware.RampDetector;
import org.openparking.protocol.VehicleType;

/**
 * Counts cars moving over a counting level's ramps: each passage reported by a {@link RampDetector} is stored
 * with the occupancy it moves and the availability it changes, in one transaction with the outbox row, so a
 * crash never counts a car twice or loses one. A passage that would take the level outside [0, capacity] is
 * kept as {@code absorbed} and recorded as drift by {@link Occupancy#move}.
 */
public final class RampCounter {
    private static final Logger LOG = Logger.getLogger(RampCounter.class.getName());

    private final Database db;
    private final Occupancy occupancy;
    private final LevelAvailability board;
    private final Clock clock;
    private final Map<String, EdgeSettings.Ramp> ramps = new LinkedHashMap<>();
    private final Map<String, RampDetector> detectors = new LinkedHashMap<>();
    private final String lotId;
    private final String levelId;
    private final MeterRegistry registry;

    public RampCounter(Database db, Occupancy occupancy, LevelAvailability board, Clock clock, EdgeSettings settings,
                       MeterRegistry registry) {
        this.registry = registry;
        this.db = db;
        this.occupancy = occupancy;
        this.board = board;
        this.clock = clock;
        this.lotId = settings.lotId();
        this.levelId = settings.levelId();
        settings.ramps().forEach(r -> ramps.put(r.id(), r));
    }

    /** The configured ramps' ids. */
    public java.util.Set<String> ids() {
        return java.util.Set.copyOf(ramps.keySet());
    }

    /** A ramp as {@code GET /ramps} shows it. */
    public record RampView(String rampId, VehicleType type, boolean occupied, long in, long out, long turnedBack,
                           long absorbed, Instant updatedAt) {
    }

    /** Subscribes to every configured ramp's detector. */
    public void attach(List<RampDetector> rampDetectors) {
        for (RampDetector detector : rampDetectors) {
            if (!ramps.containsKey(detector.rampId())) {
                throw new IllegalArgumentException("ramp " + detector.rampId() + " is not configured on this level");
            }
            detectors.put(detector.rampId(), detector);
            detector.onPassage(p -> passage(detector.rampId(), p));
        }
    }

    /** Stores one passage; the hardware's listener thread calls this, tests may too. */
    public void passage(String rampId, RampDetector.Passage passage) {
        EdgeSettings.Ramp ramp = ramps.get(rampId);
        if (ramp == null) {
            throw new IllegalArgumentException("unknown ramp: " + rampId);
        }
        Counter.Builder metric = Counter.builder("ramp.passages")
                .description("cars counted by the level's ramp loops, by ramp and direction")
                .tags(Metrics.tags("lot", lotId, "level", levelId, "ramp", rampId, "passage", passage.name()));
        try {
            Availability a = db.write(c -> {
                String column = switch (passage) {
                    case IN -> "counted_in";
                    case OUT -> "counted_out";
                    case TURNED_BACK -> "turned_back";
                };
                boolean counted = passage == RampDetector.Passage.TURNED_BACK
                        || occupancy.move(c, ramp.type(), passage == RampDetector.Passage.IN ? 1 : -1,
                        "ramp " + rampId + " " + passage);
                bump(c, rampId, counted ? column : "absorbed");
                return passage == RampDetector.Passage.TURNED_BACK ? null : occupancy.refresh(c);
            });
            registry.getOrCreate(metric).increment();
            if (a != null) {
                board.publish(a);
            }
        } catch (RuntimeException e) {
            // The car moved whether or not the database took it: say so, the operator can recount.
            LOG.log(Level.SEVERE, "could not store ramp " + rampId + " passage " + passage
                    + "; the level's count misses it", e);
        }
    }

    private void bump(Connection c, String rampId, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ramps SET " + column + " = " + column + " + 1, updated_at = ? WHERE ramp_id = ?")) {
            ps.setString(1, clock.instant().toString());
            ps.setString(2, rampId);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("ramp " + rampId + " has no row: LevelSetup did not run");
            }
        }
    }

    public List<RampView> ramps() {
        return db.read(c -> {
            List<RampView> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT ramp_id, vehicle_type, counted_in, counted_out, turned_back, absorbed, updated_at
                    FROM ramps ORDER BY ramp_id""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RampDetector d = detectors.get(rs.getString(1));
                    result.add(new RampView(rs.getString(1), VehicleType.valueOf(rs.getString(2)),
                            d != null && d.occupied(), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                            Instant.parse(rs.getString(7))));
                }
            }
            return result;
        });
    }
}
