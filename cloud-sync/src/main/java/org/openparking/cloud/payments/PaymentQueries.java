package org.openparking.cloud.payments;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;

/** Reads of payments, the unable-to-collect ledger and refunds. */
public final class PaymentQueries {
    private final DataSource dataSource;

    public PaymentQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<PaymentViews.Payment> payments(PaymentViews.PaymentFilter f) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT p.*, (SELECT coalesce(sum(r.amount), 0) FROM refunds r
                             WHERE r.payment_id = p.payment_id AND r.status = 'REFUNDED') AS refunded
                FROM payments p
                WHERE (?::text IS NULL OR p.lot_id = ?) AND (?::text IS NULL OR p.session_id = ?)
                  AND (?::text IS NULL OR p.outcome = ?)
                  AND (?::text[] IS NULL OR p.lot_id = ANY (?::text[]))
                ORDER BY coalesce(p.requested_at, p.result_at) DESC, p.payment_id LIMIT ?""",
                PaymentQueries::payment,
                f.lotId(), f.lotId(), f.sessionId(), f.sessionId(), f.outcome(), f.outcome(),
                Jdbc.textArray(f.lots()), Jdbc.textArray(f.lots()), f.limit()));
    }

    /** The ledger; the plate comes from the payment request or, failing that, from the session. */
    public List<PaymentViews.LedgerEntry> unableToCollect(PaymentViews.LedgerFilter f) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT u.*, coalesce(u.plate, s.plate) AS any_plate, s.exit_time
                FROM unable_to_collect u LEFT JOIN sessions s ON s.session_id = u.session_id
                WHERE (?::text IS NULL OR u.lot_id = ?) AND (?::text IS NULL OR coalesce(u.plate, s.plate) = ?)
                  AND (?::timestamptz IS NULL OR u.failed_at >= ?) AND (?::timestamptz IS NULL OR u.failed_at < ?)
                  AND (?::text[] IS NULL OR u.lot_id = ANY (?::text[]))
                ORDER BY u.failed_at DESC, u.payment_id LIMIT ?""",
                rs -> new PaymentViews.LedgerEntry(rs.getString("payment_id"), rs.getString("session_id"),
                        rs.getString("lot_id"), rs.getString("level_id"), rs.getString("any_plate"),
                        rs.getLong("amount"), rs.getString("currency"), rs.getString("outcome"),
                        rs.getString("failure_code"), rs.getString("failure_message"),
                        Jdbc.instant(rs.getTimestamp("failed_at")), Jdbc.instant(rs.getTimestamp("exit_time"))),
                f.lotId(), f.lotId(), f.plate(), f.plate(), f.from(), f.from(), f.to(), f.to(),
                Jdbc.textArray(f.lots()), Jdbc.textArray(f.lots()), f.limit()));
    }

    public List<PaymentViews.Refund> refundsOfSession(String sessionId) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT * FROM refunds WHERE session_id = ? ORDER BY requested_at, refund_id",
                PaymentQueries::refund, sessionId));
    }

    static PaymentViews.Payment payment(ResultSet rs) throws SQLException {
        return new PaymentViews.Payment(rs.getString("payment_id"), rs.getString("session_id"),
                rs.getString("lot_id"), rs.getString("level_id"), rs.getString("plate"), rs.getLong("amount"),
                rs.getString("currency"), rs.getBoolean("deferred"), Jdbc.instant(rs.getTimestamp("requested_at")),
                rs.getString("outcome"), rs.getString("provider_reference"), rs.getString("failure_code"),
                rs.getString("failure_message"), Jdbc.instant(rs.getTimestamp("result_at")), rs.getLong("refunded"));
    }

    static PaymentViews.Refund refund(ResultSet rs) throws SQLException {
        return new PaymentViews.Refund(rs.getString("refund_id"), rs.getString("payment_id"),
                rs.getString("session_id"), rs.getLong("amount"), rs.getString("currency"), rs.getString("reason"),
                rs.getString("requested_by"), Jdbc.instant(rs.getTimestamp("requested_at")), rs.getString("status"),
                rs.getString("provider_reference"), rs.getString("failure_code"),
                Jdbc.instant(rs.getTimestamp("result_at")));
    }
}
