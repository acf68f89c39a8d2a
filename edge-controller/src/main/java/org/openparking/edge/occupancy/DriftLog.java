package org.openparking.edge.occupancy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.openparking.platform.jdbc.Database;
import org.openparking.protocol.VehicleType;

/** The level's drift events, newest first, as {@code GET /drift} shows them to a technician. */
public final class DriftLog {
    private final Database db;

    public DriftLog(Database db) {
        this.db = db;
    }

    /** One disagreement: what the bookkeeping expected and what was observed. */
    public record Entry(long id, Instant at, VehicleType type, String reason, int expected, int observed) {
    }

    public List<Entry> recent(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return db.read(c -> {
            List<Entry> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, at, vehicle_type, reason, expected, observed FROM drift ORDER BY id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(new Entry(rs.getLong(1), Instant.parse(rs.getString(2)),
                                VehicleType.valueOf(rs.getString(3)), rs.getString(4), rs.getInt(5), rs.getInt(6)));
                    }
                }
            }
            return result;
        });
    }
}
