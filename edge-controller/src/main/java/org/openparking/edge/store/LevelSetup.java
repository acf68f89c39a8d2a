package org.openparking.edge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.platform.jdbc.Database;

/**
 * Brings the SQLite file in line with the configuration at start-up: the level's identity, its spots,
 * lanes and ramps, and the configured tariff if it is newer than the stored one. Sessions and the outbox are
 * never touched here.
 */
public final class LevelSetup {
    private static final Logger LOG = Logger.getLogger(LevelSetup.class.getName());

    private LevelSetup() {
    }

    public static void apply(Database db, EdgeSettings settings, TariffRepository tariffs, Instant now) {
        db.write(c -> {
            identity(c, settings, now);
            spots(c, settings, now);
            lanes(c, settings, now);
            ramps(c, settings, now);
            if (tariffs.applyIfNewer(c, settings.tariff(), now)) {
                LOG.info(() -> "tariff version " + settings.tariff().version() + " applied from configuration");
            }
            return null;
        });
    }

    private static void identity(Connection c, EdgeSettings s, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT lot_id, level_id FROM level_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                if (!rs.getString(1).equals(s.lotId()) || !rs.getString(2).equals(s.levelId())) {
                    // Refuse rather than mix two levels' sessions in one file.
                    throw new IllegalStateException("the database " + s.db().file() + " belongs to lot " + rs.getString(1)
                            + " level " + rs.getString(2) + ", not " + s.lotId() + " level " + s.levelId());
                }
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO level_state (id, lot_id, level_id, updated_at) VALUES (1, ?, ?, ?)")) {
            ps.setString(1, s.lotId());
            ps.setString(2, s.levelId());
            ps.setString(3, now.toString());
            ps.executeUpdate();
        }
    }

    private static void spots(Connection c, EdgeSettings s, Instant now) throws SQLException {
        Set<String> configured = new HashSet<>();
        for (EdgeSettings.Spot spot : s.spots()) {
            configured.add(spot.id());
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO spots (spot_id, type, occupied, updated_at) VALUES (?, ?, 0, ?)
                    ON CONFLICT (spot_id) DO UPDATE SET type = excluded.type WHERE type <> excluded.type""")) {
                ps.setString(1, spot.id());
                ps.setString(2, spot.type().name());
                ps.setString(3, now.toString());
                ps.executeUpdate();
            }
        }
        removeUnconfigured(c, "spots", "spot_id", configured);
    }

    private static void lanes(Connection c, EdgeSettings s, Instant now) throws SQLException {
        Set<String> configured = new HashSet<>();
        for (EdgeSettings.Lane lane : s.lanes()) {
            configured.add(lane.id());
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO lanes (lane_id, direction, barrier, updated_at) VALUES (?, ?, 'CLOSED', ?)
                    ON CONFLICT (lane_id) DO UPDATE SET direction = excluded.direction""")) {
                ps.setString(1, lane.id());
                ps.setString(2, lane.direction().name());
                ps.setString(3, now.toString());
                ps.executeUpdate();
            }
        }
        removeUnconfigured(c, "lanes", "lane_id", configured);
    }

    private static void ramps(Connection c, EdgeSettings s, Instant now) throws SQLException {
        Set<String> configured = new HashSet<>();
        for (EdgeSettings.Ramp ramp : s.ramps()) {
            configured.add(ramp.id());
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO ramps (ramp_id, vehicle_type, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (ramp_id) DO UPDATE SET vehicle_type = excluded.vehicle_type""")) {
                ps.setString(1, ramp.id());
                ps.setString(2, ramp.type().name());
                ps.setString(3, now.toString());
                ps.executeUpdate();
            }
        }
        // the cars a removed ramp counted stay in count_adjustments: only its statistics go
        removeUnconfigured(c, "ramps", "ramp_id", configured);
    }

    private static void removeUnconfigured(Connection c, String table, String idColumn, Set<String> configured)
            throws SQLException {
        Set<String> stored = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + idColumn + " FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        stored.removeAll(configured);
        for (String id : stored) {
            LOG.info(() -> table + ": " + id + " is no longer configured and was removed");
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE " + idColumn + " = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
        }
    }
}
