package org.openparking.edge.discount;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.openparking.protocol.AppliedDiscount;
import org.openparking.protocol.UpdateDiscounts;

/** The validators and coupons pushed by the cloud, their uses on this level, and what each closed session got. */
public final class DiscountRepository {

    /** Replaces every validator and coupon if {@code u} is newer than the stored version; returns whether it was. */
    public boolean applyIfNewer(Connection c, UpdateDiscounts u, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM discount_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getInt(1) >= u.version()) {
                return false;
            }
        }
        try (PreparedStatement state = c.prepareStatement("""
                INSERT INTO discount_state (id, version, applied_at) VALUES (1, ?, ?)
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at""");
             PreparedStatement delV = c.prepareStatement("DELETE FROM validators");
             PreparedStatement delC = c.prepareStatement("DELETE FROM coupons");
             PreparedStatement insV = c.prepareStatement("""
                     INSERT INTO validators (validator_id, name, department, kind, value, valid_minutes)
                     VALUES (?, ?, ?, ?, ?, ?)""");
             PreparedStatement insC = c.prepareStatement("""
                     INSERT INTO coupons (code, kind, value, max_uses, valid_from, valid_until, uses_elsewhere)
                     VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            state.setInt(1, u.version());
            state.setString(2, now.toString());
            state.executeUpdate();
            delV.executeUpdate();
            delC.executeUpdate();
            for (UpdateDiscounts.Validator v : u.validators()) {
                insV.setString(1, v.validatorId());
                insV.setString(2, v.name());
                insV.setString(3, v.department());
                insV.setString(4, v.kind().name());
                insV.setLong(5, v.value());
                insV.setInt(6, v.validMinutes());
                insV.addBatch();
            }
            insV.executeBatch();
            for (UpdateDiscounts.Coupon k : u.coupons()) {
                insC.setString(1, k.code());
                insC.setString(2, k.kind().name());
                insC.setLong(3, k.value());
                insC.setInt(4, k.maxUses());
                insC.setString(5, k.validFrom() == null ? null : k.validFrom().toString());
                insC.setString(6, k.validUntil() == null ? null : k.validUntil().toString());
                insC.setInt(7, k.usesElsewhere());
                insC.addBatch();
            }
            insC.executeBatch();
        }
        return true;
    }

    public Optional<UpdateDiscounts.Validator> validator(Connection c, String validatorId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM validators WHERE validator_id = ?")) {
            ps.setString(1, validatorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new UpdateDiscounts.Validator(rs.getString("validator_id"),
                        rs.getString("name"), rs.getString("department"),
                        UpdateDiscounts.Kind.valueOf(rs.getString("kind")), rs.getLong("value"),
                        rs.getInt("valid_minutes"))) : Optional.empty();
            }
        }
    }

    public Optional<UpdateDiscounts.Coupon> coupon(Connection c, String code) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM coupons WHERE code = ?")) {
            ps.setString(1, code);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String from = rs.getString("valid_from");
                String until = rs.getString("valid_until");
                return Optional.of(new UpdateDiscounts.Coupon(rs.getString("code"),
                        UpdateDiscounts.Kind.valueOf(rs.getString("kind")), rs.getLong("value"),
                        rs.getInt("max_uses"), from == null ? null : Instant.parse(from),
                        until == null ? null : Instant.parse(until), rs.getInt("uses_elsewhere")));
            }
        }
    }

    /** Redemptions of {@code code} on this level, other than by {@code sessionId}. */
    public int usesHere(Connection c, String code, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM coupon_uses WHERE code = ? AND session_id <> ?")) {
            ps.setString(1, code);
            ps.setString(2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Records what a closing session got; runs in the exit's closing transaction. */
    public void recordApplied(Connection c, String sessionId, List<AppliedDiscount> applied, Instant now)
            throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("""
                INSERT OR REPLACE INTO session_discounts (session_id, source, reference, department, amount)
                VALUES (?, ?, ?, ?, ?)""");
             PreparedStatement use = c.prepareStatement("""
                     INSERT OR IGNORE INTO coupon_uses (code, session_id, used_at, amount) VALUES (?, ?, ?, ?)""")) {
            for (AppliedDiscount a : applied) {
                ins.setString(1, sessionId);
                ins.setString(2, a.source());
                ins.setString(3, a.reference());
                ins.setString(4, a.department());
                ins.setLong(5, a.amount());
                ins.executeUpdate();
                if (a.source().equals(Discounts.COUPON)) {
                    use.setString(1, a.reference());
                    use.setString(2, sessionId);
                    use.setString(3, now.toString());
                    use.setLong(4, a.amount());
                    use.executeUpdate();
                }
            }
        }
    }
}
