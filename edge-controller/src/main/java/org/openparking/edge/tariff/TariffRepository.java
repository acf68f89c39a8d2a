package org.openparking.edge.tariff;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.openparking.protocol.Json;
import org.openparking.protocol.Tariff;

/** Tariff versions. A session is billed with the version in force when it entered. */
public final class TariffRepository {

    public Optional<Tariff> current(Connection c) throws SQLException {
        return one(c, "SELECT * FROM tariffs ORDER BY version DESC LIMIT 1", null);
    }

    public Optional<Tariff> byVersion(Connection c, int version) throws SQLException {
        return one(c, "SELECT * FROM tariffs WHERE version = ?", version);
    }

    /** Stores {@code tariff} if it is newer than every stored version; returns whether it was. */
    public boolean applyIfNewer(Connection c, Tariff tariff, Instant now) throws SQLException {
        Optional<Tariff> current = current(c);
        if (current.isPresent() && current.get().version() >= tariff.version()) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO tariffs (version, currency, grace_minutes, period_minutes, price_per_period, daily_cap,
                                     lost_ticket_fee, applied_at, rules) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setInt(1, tariff.version());
            ps.setString(2, tariff.currency());
            ps.setInt(3, tariff.graceMinutes());
            ps.setInt(4, tariff.periodMinutes());
            ps.setLong(5, tariff.pricePerPeriod());
            ps.setLong(6, tariff.dailyCap());
            ps.setLong(7, tariff.lostTicketFee());
            ps.setString(8, now.toString());
            ps.setString(9, tariff.hasRules() ? json(tariff) : null);
            ps.executeUpdate();
        }
        return true;
    }

    private static Optional<Tariff> one(Connection c, String sql, Integer version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (version != null) {
                ps.setInt(1, version);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String rules = rs.getString("rules");
                if (rules != null) {
                    // Written from the same tariff as the columns; the JSON carries every field.
                    return Optional.of(Json.mapper().readValue(rules, Tariff.class));
                }
                return Optional.of(new Tariff(rs.getInt("version"), rs.getString("currency"),
                        rs.getInt("grace_minutes"), rs.getInt("period_minutes"), rs.getLong("price_per_period"),
                        rs.getLong("daily_cap"), rs.getLong("lost_ticket_fee")));
            } catch (JsonProcessingException e) {
                throw new SQLException("stored tariff rules unreadable", e);
            }
        }
    }

    private static String json(Tariff tariff) throws SQLException {
        try {
            return Json.mapper().writeValueAsString(tariff);
        } catch (JsonProcessingException e) {
            throw new SQLException("tariff not writable as JSON", e);
        }
    }
}
