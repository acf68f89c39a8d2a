package org.openparking.edge.session;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.VehicleType;

/** A parking session as stored. Exit fields are null while it is open. */
public record Session(String sessionId, String entryLane, String plate, VehicleType vehicleType,
                      VehicleType spotType, Instant entryTime, int tariffVersion, Status status, String exitLane,
                      Instant exitTime, Long feeAmount, String currency, PaymentStatus paymentStatus,
                      String paymentId, boolean lostTicket) {

    public enum Status { OPEN, CLOSED }

    /**
     * Entry lanes of a session this level recorded only because the car pays or leaves here: its ticket was
     * issued on another level, or it lost its ticket and no session of this level has its plate. Such a row
     * never means the car entered through this level's gates, so it is left out of the occupancy (on a
     * ramp level the ramp counted the car) and out of anti-passback.
     */
    public static final String FROM_ANOTHER_LEVEL = "(another level)";
    public static final String LOST_TICKET_UNMATCHED = "(lost ticket)";
    /** SQL: the session entered through this level's gates. */
    public static final String ENTERED_HERE = "entry_lane NOT IN ('" + FROM_ANOTHER_LEVEL + "', '"
            + LOST_TICKET_UNMATCHED + "')";

    /** Whether this level recorded the session only at payment or exit (see {@link #FROM_ANOTHER_LEVEL}). */
    public boolean recordedAtExit() {
        return FROM_ANOTHER_LEVEL.equals(entryLane) || LOST_TICKET_UNMATCHED.equals(entryLane);
    }

    static final String COLUMNS = "session_id, entry_lane, plate, vehicle_type, spot_type, entry_time, tariff_version,"
            + " status, exit_lane, exit_time, fee_amount, currency, payment_status, payment_id, lost_ticket";

    static Session from(ResultSet rs) throws SQLException {
        String exitTime = rs.getString("exit_time");
        long fee = rs.getLong("fee_amount");
        Long feeAmount = rs.wasNull() ? null : fee;
        String payment = rs.getString("payment_status");
        return new Session(rs.getString("session_id"), rs.getString("entry_lane"), rs.getString("plate"),
                VehicleType.valueOf(rs.getString("vehicle_type")), VehicleType.valueOf(rs.getString("spot_type")),
                Instant.parse(rs.getString("entry_time")), rs.getInt("tariff_version"),
                Status.valueOf(rs.getString("status")), rs.getString("exit_lane"),
                exitTime == null ? null : Instant.parse(exitTime), feeAmount, rs.getString("currency"),
                payment == null ? null : PaymentStatus.valueOf(payment), rs.getString("payment_id"),
                rs.getInt("lost_ticket") == 1);
    }
}
