package org.openparking.edge.payment;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for payment attempts; runs in the caller's transaction. */
public final class PaymentRepository {
    private static final String COLUMNS = "payment_id, session_id, attempt, amount, currency, status, deferred, via,"
            + " provider_reference, failure_code, created_at, updated_at";

    public void insert(Connection c, Payment p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO payments (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, p.paymentId());
            ps.setString(2, p.sessionId());
            ps.setInt(3, p.attempt());
            ps.setLong(4, p.amount());
            ps.setString(5, p.currency());
            ps.setString(6, p.status().name());
            ps.setInt(7, p.deferred() ? 1 : 0);
            ps.setString(8, p.via().name());
            ps.setString(9, p.providerReference());
            ps.setString(10, p.failureCode());
            ps.setString(11, p.createdAt().toString());
            ps.setString(12, p.updatedAt().toString());
            ps.executeUpdate();
        }
    }

    public boolean updateStatus(Connection c, String paymentId, Payment.Status status, boolean deferred,
                                String providerReference, String failureCode, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE payments SET status = ?, deferred = ?, provider_reference = COALESCE(?, provider_reference),
                       failure_code = ?, updated_at = ? WHERE payment_id = ?""")) {
            ps.setString(1, status.name());
            ps.setInt(2, deferred ? 1 : 0);
            ps.setString(3, providerReference);
            ps.setString(4, failureCode);
            ps.setString(5, now.toString());
            ps.setString(6, paymentId);
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<Payment> find(Connection c, String paymentId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payments WHERE payment_id = ?")) {
            ps.setString(1, paymentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(from(rs)) : Optional.empty();
            }
        }
    }

    public List<Payment> forSession(Connection c, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM payments WHERE session_id = ? ORDER BY attempt")) {
            ps.setString(1, sessionId);
            List<Payment> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(from(rs));
                }
            }
            return result;
        }
    }

    private static Payment from(ResultSet rs) throws SQLException {
        return new Payment(rs.getString("payment_id"), rs.getString("session_id"), rs.getInt("attempt"),
                rs.getLong("amount"), rs.getString("currency"), Payment.Status.valueOf(rs.getString("status")),
                rs.getInt("deferred") == 1, Payment.Via.valueOf(rs.getString("via")),
                rs.getString("provider_reference"), rs.getString("failure_code"),
                Instant.parse(rs.getString("created_at")), Instant.parse(rs.getString("updated_at")));
    }
}
