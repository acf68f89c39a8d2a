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
import org.openparking.edge.discount.Discounts;
import org.openparking.edge.tariff.Explanation;
import org.openparking.edge.tariff.LineItem;
import org.openparking.edge.rules.LaneRules;
import org.openparking.protocol.Plates;
import org.openparking.edge.tariff.TariffCalculator;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.protocol.AppliedDiscount;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/**
 * What a ticket owes now: the tariff it entered under (explained line by line), the permit placeholder, validation
 * and coupon ({@link Discounts}), what was paid, allow-list and pay-station grace.
 */
final class Dues {
    private final SessionRepository sessions;
    private final TariffRepository tariffs;
    private final PaymentRepository payments;
    private final Duration payStationGrace;
    private final Discounts discounts;
    private final LaneRules rules;

    Dues(SessionRepository sessions, TariffRepository tariffs, PaymentRepository payments, Duration payStationGrace,
         Discounts discounts, LaneRules rules) {
        this.discounts = discounts;
        this.rules = rules;
        this.sessions = sessions;
        this.tariffs = tariffs;
        this.payments = payments;
        this.payStationGrace = payStationGrace;
    }

    ParkingService.Quote quote(Connection c, TicketSigner.Ticket t, Instant now, Discounts.Presented presented)
            throws SQLException {
        Session s = sessions.find(c, t.sessionId()).orElse(null);
        if (s != null && s.status() == Session.Status.CLOSED) {
            throw alreadyUsed();
        }
        Tariff tariff = tariffFor(c, s);
        Discounts.Result priced = price(c, t, s, tariff, now, presented);
        long fee = priced.explanation().fee();
        long paid = s == null ? 0 : paidAmount(payments.forSession(c, s.sessionId()));
        long due = payStationGraceCovers(c, t.sessionId(), now) ? 0 : Math.max(0, fee - paid);
        return new ParkingService.Quote(t.sessionId(), fee, paid, due, tariff.currency(), t.entryTime(),
                tariff.version(), priced.explanation().lines());
    }

    /** The tariff's explained fee for the ticket's stay, then the permit, validation and coupon lines. */
    private Discounts.Result price(Connection c, TicketSigner.Ticket t, Session s, Tariff tariff, Instant now,
                                   Discounts.Presented presented) throws SQLException {
        VehicleType space = s == null || s.recordedAtExit() ? null : s.spotType();
        return discounts.apply(c, t.sessionId(),
                shift -> TariffCalculator.explain(tariff, t.entryTime().plus(shift), now, space), presented, now);
    }

    /** {@code lostTicketPlate} is null for an exit with a ticket. */
    Due due(Connection c, TicketSigner.Ticket t, Instant now, String lostTicketPlate, Discounts.Presented presented)
            throws SQLException {
        Session s = sessions.find(c, t.sessionId()).orElse(null);
        if (s != null && s.status() == Session.Status.CLOSED) {
            throw alreadyUsed();
        }
        Tariff tariff = tariffFor(c, s);
        List<Payment> attempts = s == null ? List.of() : payments.forSession(c, s.sessionId());
        boolean lost = lostTicketPlate != null;
        if (lost && presented.any()) {
            throw new ParkingException(Kind.BAD_REQUEST, "DISCOUNT_NEEDS_TICKET",
                    "a validation or coupon applies to a ticket; a lost-ticket exit pays the lost-ticket fee");
        }
        Discounts.Result priced = lost ? new Discounts.Result(new Explanation(0, List.of()).plus(LineItem.applied(
                "LOST_TICKET", TariffCalculator.lostTicketFee(tariff, s == null ? null : t.entryTime(), now),
                "lost ticket: the lost-ticket fee " + tariff.lostTicketFee() + " or the time fee if higher")), List.of())
                : price(c, t, s, tariff, now, presented);
        Explanation explained = priced.explanation();
        String plate = s != null ? s.plate() : lostTicketPlate;
        boolean allowListed = plate != null && explained.fee() > 0 && allowListed(c, plate);
        if (allowListed) {
            explained = explained.plus(LineItem.applied("ALLOW_LIST", -explained.fee(), "plate on the allow-list"));
        }
        // Permits and prepaid reservations (event pre-sales) leave without a fee (docs/lanes.md).
        boolean freeExit = !allowListed && explained.fee() > 0 && s != null && rules.freeExit(c, s.sessionId());
        if (freeExit) {
            explained = explained.plus(LineItem.applied("PERMIT", -explained.fee(),
                    "entered with a permit or a prepaid reservation"));
        }
        long fee = explained.fee();
        long paid = paidAmount(attempts);
        long amount = payStationGraceCovers(c, t.sessionId(), now) ? 0 : Math.max(0, fee - paid);
        String inFlight = attempts.stream().filter(p -> p.status() == Payment.Status.REQUESTED)
                .map(Payment::paymentId).reduce((a, b) -> b).orElse(null);
        String lastPaid = attempts.stream().filter(p -> p.status() == Payment.Status.PAID)
                .map(Payment::paymentId).reduce((a, b) -> b).orElse(null);
        // A row recorded here at an earlier payment attempt is still another level's (or an unmatched) session.
        // An allow-listed plate pays nothing, so no discount was used.
        List<AppliedDiscount> used = allowListed || freeExit ? List.of() : priced.applied();
        return new Due(fee, paid, amount, tariff.currency(), tariff.version(), attempts.size(), inFlight, lastPaid,
                plate, s == null || s.recordedAtExit(), lost, used, explained.lines());
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
