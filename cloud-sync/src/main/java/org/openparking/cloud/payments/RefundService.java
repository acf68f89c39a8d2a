package org.openparking.cloud.payments;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.RefundRequested;

/**
 * Refunds of paid sessions. The refund row and its {@code RefundRequested} message are written in
 * one transaction (audited under the caller's name), then published to {@code parking.payments} with
 * confirms; the worker executes it with the refund id as its idempotency key, and {@code refund.result}
 * settles the row.
 */
public final class RefundService {
    private final DataSource dataSource;
    private final OutgoingMessages outgoing;

    public RefundService(DataSource dataSource, OutgoingMessages outgoing) {
        this.dataSource = dataSource;
        this.outgoing = outgoing;
    }

    /** The refund stored and the id of the message that carries it. */
    public record Requested(PaymentViews.Refund refund, String commandId) {
    }

    /**
     * Requests a refund of {@code amount} (null: all that is left) of the session's paid payment.
     * 404 for an unknown session, 409 when it has no PAID payment or the amount exceeds what is left.
     */
    public Requested requestRefund(String sessionId, Long amount, String reason, Principal by)
            throws SQLException {
        String requestedBy = by.username();
        if (reason == null || reason.isBlank()) {
            throw CloudException.invalid("reason is required for a refund");
        }
        if (amount != null && amount <= 0) {
            throw CloudException.invalid("amount must be positive, was " + amount);
        }
        record Tx(PaymentViews.Refund refund, OutgoingMessages.Pending pending) {
        }
        Tx tx = Jdbc.inTransaction(dataSource, c -> {
            AuditLog.actAs(c, by);
            List<String[]> session = Jdbc.query(c, "SELECT lot_id, level_id FROM sessions WHERE session_id = ?",
                    rs -> new String[] {rs.getString(1), rs.getString(2)}, sessionId);
            if (session.isEmpty()) {
                throw CloudException.notFound("SESSION_NOT_FOUND", "no session " + sessionId);
            }
            // Row lock on the payment: concurrent refunds of one payment are numbered and capped one at a time.
            List<PaymentViews.Payment> paid = Jdbc.query(c, """
                    SELECT p.*, 0 AS refunded FROM payments p WHERE p.session_id = ? AND p.outcome = 'PAID'
                    ORDER BY p.result_at DESC LIMIT 1 FOR UPDATE""", PaymentQueries::payment, sessionId);
            if (paid.isEmpty()) {
                throw CloudException.conflict("NOT_PAID", "session " + sessionId + " has no PAID payment to refund");
            }
            PaymentViews.Payment payment = paid.getFirst();
            long[] counts = Jdbc.query(c, """
                    SELECT count(*), coalesce(sum(amount) FILTER (WHERE status <> 'FAILED'), 0)
                    FROM refunds WHERE payment_id = ?""",
                    rs -> new long[] {rs.getLong(1), rs.getLong(2)}, payment.paymentId()).getFirst();
            long left = payment.amount() - counts[1];
            if (left <= 0) {
                throw CloudException.conflict("ALREADY_REFUNDED", "payment " + payment.paymentId()
                        + " is already refunded in full");
            }
            long refundAmount = amount == null ? left : amount;
            if (refundAmount > left) {
                throw CloudException.conflict("REFUND_EXCEEDS_PAYMENT", "at most " + left + " " + payment.currency()
                        + " of payment " + payment.paymentId() + " can still be refunded, asked " + refundAmount);
            }
            String refundId = "refund-" + payment.paymentId() + "-" + (counts[0] + 1);
            Jdbc.update(c, """
                    INSERT INTO refunds (refund_id, payment_id, session_id, amount, currency, reason, requested_by,
                                         status)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'REQUESTED')""",
                    refundId, payment.paymentId(), sessionId, refundAmount, payment.currency(), reason, requestedBy);
            OutgoingMessages.Pending pending = outgoing.toPayments(c, session.getFirst()[0], session.getFirst()[1],
                    new RefundRequested(refundId, payment.paymentId(), sessionId, payment.providerReference(),
                            refundAmount, payment.currency(), reason, requestedBy), requestedBy);
            PaymentViews.Refund refund = Jdbc.query(c, "SELECT * FROM refunds WHERE refund_id = ?",
                    PaymentQueries::refund, refundId).getFirst();
            return new Tx(refund, pending);
        });
        try {
            outgoing.publish(List.of(tx.pending()));
        } catch (IOException e) {
            throw CloudException.unavailable("BROKER_UNAVAILABLE", "refund " + tx.refund().refundId()
                    + " stored, but RabbitMQ did not confirm the request; it is re-sent automatically: "
                    + e.getMessage());
        }
        return new Requested(tx.refund(), tx.pending().commandId());
    }
}
