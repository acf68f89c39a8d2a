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
