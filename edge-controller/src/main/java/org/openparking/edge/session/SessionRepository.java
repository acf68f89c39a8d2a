package org.openparking.edge.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.Plates;

/** SQL for sessions. Every method runs inside the caller's connection and transaction. */
public final class SessionRepository {

    public void insert(Connection c, Session s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions (" + Session.COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.sessionId());
            ps.setString(2, s.entryLane());
            ps.setString(3, s.plate());
            ps.setString(4, s.vehicleType().name());
            ps.setString(5, s.spotType().name());
            ps.setString(6, s.entryTime().toString());
            ps.setInt(7, s.tariffVersion());
            ps.setString(8, s.status().name());
            ps.setString(9, s.exitLane());
            ps.setString(10, s.exitTime() == null ? null : s.exitTime().toString());
            if (s.feeAmount() == null) {
                ps.setNull(11, java.sql.Types.INTEGER);
            } else {
                ps.setLong(11, s.feeAmount());
            }
            ps.setString(12, s.currency());
            ps.setString(13, s.paymentStatus() == null ? null : s.paymentStatus().name());
            ps.setString(14, s.paymentId());
            ps.setInt(15, s.lostTicket() ? 1 : 0);
            ps.executeUpdate();
        }
        if (s.plate() != null) {
            // Plates are compared by their key (Plates.key, the one plate rule), stored beside the plate.
            try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET plate_key = ? WHERE session_id = ?")) {
                ps.setString(1, Plates.key(s.plate()));
                ps.setString(2, s.sessionId());
                ps.executeUpdate();
            }
        }
    }

    /** Closes an open session; returns false if it was not open (a concurrent exit won). */
    public boolean close(Connection c, String sessionId, String exitLane, Instant exitTime, long fee, String currency,
                         PaymentStatus paymentStatus, String paymentId, boolean lostTicket) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sessions SET status = 'CLOSED', exit_lane = ?, exit_time = ?, fee_amount = ?, currency = ?,
                       payment_status = ?, payment_id = ?, lost_ticket = ?
                WHERE session_id = ? AND status = 'OPEN'""")) {
            ps.setString(1, exitLane);
            ps.setString(2, exitTime.toString());
            ps.setLong(3, fee);
            ps.setString(4, currency);
            ps.setString(5, paymentStatus.name());
            ps.setString(6, paymentId);
            ps.setInt(7, lostTicket ? 1 : 0);
            ps.setString(8, sessionId);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Closes an open session that left through another level's exit: that level billed it, so the fee and
     * payment columns stay empty here. Returns false if it was not open.
     */
    public boolean closeElsewhere(Connection c, String sessionId, String exitLane, Instant exitTime)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sessions SET status = 'CLOSED', exit_lane = ?, exit_time = ?
                WHERE session_id = ? AND status = 'OPEN'""")) {
            ps.setString(1, exitLane);
            ps.setString(2, exitTime.toString());
            ps.setString(3, sessionId);
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<Session> find(Connection c, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + Session.COLUMNS + " FROM sessions WHERE session_id = ?")) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Session.from(rs)) : Optional.empty();
            }
        }
    }

    public Optional<Session> findOpenByPlate(Connection c, String plate) throws SQLException {
        return findOpenByPlate(c, plate, false);
    }

    /**
     * The newest open session of {@code plate}; with {@code enteredHere} only one that entered through this
     * level's gates (anti-passback), not a row recorded when another level's ticket was paid here.
     */
    public Optional<Session> findOpenByPlate(Connection c, String plate, boolean enteredHere) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Session.COLUMNS
                + " FROM sessions WHERE plate_key = ? AND status = 'OPEN'"
                + (enteredHere ? " AND " + Session.ENTERED_HERE : "") + " ORDER BY entry_time DESC LIMIT 1")) {
            ps.setString(1, Plates.key(plate));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Session.from(rs)) : Optional.empty();
            }
        }
    }

    /** Sessions newest first, optionally only those with {@code status}. */
    public List<Session> list(Connection c, Session.Status status, int limit) throws SQLException {
        String sql = "SELECT " + Session.COLUMNS + " FROM sessions"
                + (status == null ? "" : " WHERE status = ?") + " ORDER BY entry_time DESC LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (status != null) {
                ps.setString(i++, status.name());
            }
            ps.setInt(i, limit);
            List<Session> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(Session.from(rs));
                }
            }
            return result;
        }
    }
}
