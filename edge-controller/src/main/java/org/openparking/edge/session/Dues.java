package org.openparking.edge.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.payment.Payment;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.rules.LaneRules;
import org.openparking.protocol.Plates;
import org.openparking.edge.tariff.TariffCalculator;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.protocol.Tariff;

/** What a ticket owes now: the tariff it entered under, what was paid, allow-list and pay-station grace. */
final class Dues {
    private final SessionRepository sessions;
    private final TariffRepository tariffs;
    private final PaymentRepository payments;
    private final Duration payStationGrace;
    private final LaneRules rules;

    Dues(SessionRepository sessions, TariffRepository tariffs, PaymentRepository payments, Duration payStationGrace,
         LaneRules rules) {
        this.rules = rules;
        this.sessions = sessions;
        this.tariffs = tariffs;
        this.payments = payments;
        this.payStationGrace = payStationGrace;
    }

    ParkingService.Quote quote(Connection c, TicketSigner.Ticket t, Instant now) throws SQLException {
        Session s = sessions.find(c, t.sessionId()).orElse(null);
        if (s != null && s.status() == Session.Status.CLOSED) {
            throw alreadyUsed();
        }
        Tariff tariff = tariffFor(c, s);
        long fee = TariffCalculator.fee(tariff, t.entryTime(), now);
        long paid = s == null ? 0 : paidAmount(payments.forSession(c, s.sessionId()));
        long due = payStationGraceCovers(c, t.sessionId(), now) ? 0 : Math.max(0, fee - paid);
        return new ParkingService.Quote(t.sessionId(), fee, paid, due, tariff.currency(), t.entryTime(),
                tariff.version());
    }

    /** {@code lostTicketPlate} is null for an exit with a ticket. */
    Due due(Connection c, TicketSigner.Ticket t, Instant now, String lostTicketPlate) throws SQLException {
        Session s = sessions.find(c, t.sessionId()).orElse(null);
        if (s != null && s.status() == Session.Status.CLOSED) {
            throw alreadyUsed();
        }
        Tariff tariff = tariffFor(c, s);
        List<Payment> attempts = s == null ? List.of() : payments.forSession(c, s.sessionId());
        boolean lost = lostTicketPlate != null;
        long fee = !lost ? TariffCalculator.fee(tariff, t.entryTime(), now)
                : TariffCalculator.lostTicketFee(tariff, s == null ? null : t.entryTime(), now);
        String plate = s != null ? s.plate() : lostTicketPlate;
        if ((plate != null && allowListed(c, plate)) || (s != null && rules.freeExit(c, s.sessionId()))) {
            // Allow-listed plates, permits and prepaid reservations (event pre-sales) leave without a fee.
            fee = 0;
        }
        long paid = paidAmount(attempts);
        long amount = payStationGraceCovers(c, t.sessionId(), now) ? 0 : Math.max(0, fee - paid);
        String inFlight = attempts.stream().filter(p -> p.status() == Payment.Status.REQUESTED)
                .map(Payment::paymentId).reduce((a, b) -> b).orElse(null);
        String lastPaid = attempts.stream().filter(p -> p.status() == Payment.Status.PAID)
                .map(Payment::paymentId).reduce((a, b) -> b).orElse(null);
        // A row recorded here at an earlier payment attempt is still another level's (or an unmatched) session.
        return new Due(fee, paid, amount, tariff.currency(), tariff.version(), attempts.size(), inFlight, lastPaid,
                plate, s == null || s.recordedAtExit(), lost);
    }

    static ParkingException alreadyUsed() {
        return new ParkingException(Kind.CONFLICT, "TICKET_ALREADY_USED", "this ticket was already used to exit");
    }

    private Tariff tariffFor(Connection c, Session s) throws SQLException {
        if (s != null) {
            Optional<Tariff> atEntry = tariffs.byVersion(c, s.tariffVersion());
            if (atEntry.isPresent()) {
                return atEntry.get();
            }
        }
        return tariffs.current(c).orElseThrow();
    }

    private static long paidAmount(List<Payment> attempts) {
        return attempts.stream().filter(p -> p.status() == Payment.Status.PAID).mapToLong(Payment::amount).sum();
    }

    private boolean payStationGraceCovers(Connection c, String sessionId, Instant now) throws SQLException {
        Instant since = now.minus(payStationGrace);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT COUNT(*) FROM payments WHERE session_id = ? AND via = 'PAY_STATION' AND status = 'PAID'
                AND updated_at >= ?""")) {
            ps.setString(1, sessionId);
            ps.setString(2, since.toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    private static boolean allowListed(Connection c, String plate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM allow_list WHERE plate = ?")) {
            ps.setString(1, Plates.key(plate));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
