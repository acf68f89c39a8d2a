package org.openparking.edge.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.Payment;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.platform.jdbc.Database;
import org.openparking.edge.tariff.TariffCalculator;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.ticket.InvalidTicketException;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.protocol.CloseSessionElsewhere;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/**
 * Entries, exits, quotes and payments of one level. Every decision is taken from the SQLite file and
 * stored with its outbox rows in one transaction; the only wait is for a payment result, bounded by
 * {@code payments.wait}, after which the offline policy decides. Barriers are the lane's business.
 */
public final class ParkingService {
    private static final Logger LOG = Logger.getLogger(ParkingService.class.getName());
    /** 13 to 19 digits, with optional spaces or dashes: a card number, which must never reach us. */
    private static final Pattern CARD_NUMBER = Pattern.compile("^[0-9][0-9 -]{11,22}[0-9]$");

    private final Database db;
    private final EdgeSettings settings;
    private final TicketSigner tickets;
    private final Outbox outbox;
    private final Occupancy occupancy;
    private final LevelAvailability board;
    private final SessionRepository sessions;
    private final TariffRepository tariffs;
    private final PaymentRepository payments;
    private final PaymentResults results;
    private final PaymentLink link;
    private final Clock clock;

    public ParkingService(Database db, EdgeSettings settings, TicketSigner tickets, Outbox outbox, Occupancy occupancy,
                          LevelAvailability board, SessionRepository sessions, TariffRepository tariffs,
                          PaymentRepository payments, PaymentResults results, PaymentLink link, Clock clock) {
        this.db = db;
        this.settings = settings;
        this.tickets = tickets;
        this.outbox = outbox;
        this.occupancy = occupancy;
        this.board = board;
        this.sessions = sessions;
        this.tariffs = tariffs;
        this.payments = payments;
        this.results = results;
        this.link = link;
        this.clock = clock;
    }

    /** An admitted vehicle: its session, the signed ticket and the availability after it. */
    public record Admission(Session session, String ticket, Availability availability) {
    }

    /** What an exit decided. {@code gateOpens} is false for PENDING (pay at the pay station). */
    public record Departure(String sessionId, long fee, String currency, PaymentStatus paymentStatus,
                            String paymentId, boolean gateOpens, String message) {
    }

    public record Quote(String sessionId, long amount, long paid, long due, String currency, Instant entryTime,
                        int tariffVersion) {
    }

    /** Result of a payment at the pay station. */
    public record PayStationReceipt(String sessionId, String paymentId, long amount, String currency,
                                    PaymentStatus status, Instant exitBefore) {
    }

    // ---------------------------------------------------------------- entry

    public Admission admit(String laneId, String plate, VehicleType requested) {
        VehicleType vehicleType = requested == null ? VehicleType.STANDARD : requested;
        String normalizedPlate = normalizePlate(plate);
        Instant now = clock.instant();
        Admission admission = db.write(c -> {
            if (levelClosed(c)) {
                throw new ParkingException(Kind.CONFLICT, "LEVEL_CLOSED", "the level is closed by an operator");
            }
            if (normalizedPlate != null && sessions.findOpenByPlate(c, normalizedPlate, true).isPresent()) {
                // Anti-passback: one plate cannot hold two open sessions entered here.
                throw new ParkingException(Kind.CONFLICT, "PLATE_ALREADY_INSIDE",
                        "a session for plate " + normalizedPlate + " is already open on this level");
            }
            Occupancy.Counts counts = occupancy.counts(c);
            VehicleType spotType = counts.free(vehicleType) > 0 ? vehicleType
                    : vehicleType != VehicleType.STANDARD && counts.free(VehicleType.STANDARD) > 0
                    ? VehicleType.STANDARD : null;
            if (spotType == null) {
                throw new ParkingException(Kind.CONFLICT, "LEVEL_FULL",
                        "no free " + vehicleType.name().toLowerCase() + " space on this level");
            }
            Tariff tariff = tariffs.current(c).orElseThrow();
            Session session = new Session(UUID.randomUUID().toString(), laneId, normalizedPlate, vehicleType, spotType,
                    now, tariff.version(), Session.Status.OPEN, null, null, null, null, null, null, false);
            sessions.insert(c, session);
            outbox.append(c, new SessionOpened(session.sessionId(), laneId, normalizedPlate, vehicleType, now,
                    tariff.version()));
            Availability availability = occupancy.refresh(c);
            return new Admission(session, tickets.sign(session.sessionId(), now), availability);
        });
        board.publish(admission.availability());
        return admission;
    }

    // ---------------------------------------------------------------- reads

    public Optional<Session> session(String sessionId) {
        return db.read(c -> sessions.find(c, sessionId));
    }

    public List<Session> sessions(Session.Status status, int limit) {
        return db.read(c -> sessions.list(c, status, limit));
    }

    public List<Payment> paymentsOf(String sessionId) {
        return db.read(c -> payments.forSession(c, sessionId));
    }

    // ---------------------------------------------------------------- quote

    public Quote quote(String ticket) {
        TicketSigner.Ticket t = verify(ticket);
        Instant now = clock.instant();
        return db.read(c -> {
            Session s = sessions.find(c, t.sessionId()).orElse(null);
            if (s != null && s.status() == Session.Status.CLOSED) {
                throw new ParkingException(Kind.CONFLICT, "TICKET_ALREADY_USED", "this ticket was already used to exit");
            }
            Tariff tariff = tariffFor(c, s);
            long fee = TariffCalculator.fee(tariff, t.entryTime(), now);
            long paid = s == null ? 0 : paidAmount(payments.forSession(c, s.sessionId()));
            long due = payStationGraceCovers(c, t.sessionId(), now) ? 0 : Math.max(0, fee - paid);
            return new Quote(t.sessionId(), fee, paid, due, tariff.currency(), t.entryTime(), tariff.version());
        });
    }

    // ---------------------------------------------------------------- exit

    /**
     * Releases a vehicle. Throws PAYMENT_REQUIRED when a fee is due and no payment method was given, and
     * PAYMENT_DECLINED when the card was refused; in both cases nothing about the session changes.
     */
    public Departure depart(String laneId, String ticket, String paymentMethod) {
        checkPaymentMethod(paymentMethod);
        return depart(laneId, verify(ticket), null, paymentMethod);
    }

    /**
     * An exit without a ticket: the open session of the plate is found and billed at least the lost-ticket
     * fee; with no session for the plate (not recognised, or entered elsewhere) the flat fee is billed and
     * a session is recorded for the exit, so the cloud still sees it.
     */
    public Departure departLostTicket(String laneId, String plate, String paymentMethod) {
        checkPaymentMethod(paymentMethod);
        String normalized = normalizePlate(plate);
        if (normalized == null) {
            throw new ParkingException(Kind.BAD_REQUEST, "PLATE_REQUIRED", "a lost-ticket exit needs the plate");
        }
        Instant now = clock.instant();
        TicketSigner.Ticket t = db.read(c -> sessions.findOpenByPlate(c, normalized))
                .map(s -> new TicketSigner.Ticket(settings.lotId(), s.sessionId(), s.entryTime()))
                .orElseGet(() -> new TicketSigner.Ticket(settings.lotId(), "lost-" + UUID.randomUUID(), now));
        return depart(laneId, t, normalized, paymentMethod);
    }

    /** {@code lostTicketPlate} is null for an exit with a ticket. */
    private Departure depart(String laneId, TicketSigner.Ticket t, String lostTicketPlate, String paymentMethod) {
        Instant now = clock.instant();
        Due due = db.read(c -> due(c, t, now, lostTicketPlate));
        if (due.amount() <= 0) {
            PaymentStatus status = due.paid() > 0 ? PaymentStatus.PAID : PaymentStatus.NOT_REQUIRED;
            return close(laneId, t, due, status, due.lastPaidId(), now);
        }
        if (paymentMethod == null || paymentMethod.isBlank()) {
            throw new ParkingException(Kind.PAYMENT_REQUIRED, "PAYMENT_REQUIRED",
                    "a fee of " + due.amount() + " " + due.currency() + " is due: present a card or pay at the pay station",
                    Map.of("fee", Map.of("amount", due.amount(), "currency", due.currency()),
                            "sessionId", t.sessionId()));
        }
        return charge(laneId, t, due, paymentMethod, Payment.Via.EXIT);
    }

    /** Pays at the pay station; the driver then has {@code payments.pay-station-grace} to leave. */
    public PayStationReceipt payAtStation(String ticket, String paymentMethod) {
        checkPaymentMethod(paymentMethod);
        if (paymentMethod == null || paymentMethod.isBlank()) {
            throw new ParkingException(Kind.BAD_REQUEST, "PAYMENT_METHOD_REQUIRED", "paymentMethod is required");
        }
        TicketSigner.Ticket t = verify(ticket);
        Instant now = clock.instant();
        Due due = db.read(c -> due(c, t, now, null));
        if (due.amount() <= 0) {
            return new PayStationReceipt(t.sessionId(), due.lastPaidId(), 0, due.currency(),
                    due.paid() > 0 ? PaymentStatus.PAID : PaymentStatus.NOT_REQUIRED,
                    now.plus(settings.payments().payStationGrace()));
        }
        if (link.state() != PaymentLink.State.ONLINE) {
            throw new ParkingException(Kind.UNAVAILABLE, "PAYMENTS_UNAVAILABLE",
                    "card payments are unavailable right now (" + link.state() + "); please call the attendant");
        }
        Departure d = charge(null, t, due, paymentMethod, Payment.Via.PAY_STATION);
        return new PayStationReceipt(t.sessionId(), d.paymentId(), d.fee(), d.currency(), d.paymentStatus(),
                d.paymentStatus() == PaymentStatus.PAID ? clock.instant().plus(settings.payments().payStationGrace())
                        : null);
    }

    private Departure charge(String laneId, TicketSigner.Ticket t, Due due, String paymentMethod, Payment.Via via) {
        Instant now = clock.instant();
        PaymentLink.State state = link.state();
        boolean exit = via == Payment.Via.EXIT;
        boolean withinFloor = due.amount() <= settings.payments().floorLimit();
        if (state != PaymentLink.State.ONLINE && exit && !withinFloor) {
            return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.PENDING, null, false,
                    "card payments are unavailable (" + state + "): please pay at the pay station");
        }
        if (due.inFlight() != null) {
            // An earlier attempt is still out: wait for it instead of charging again.
            return settle(laneId, t, due, due.inFlight(), via);
        }
        boolean deferNow = exit && state != PaymentLink.State.ONLINE;
        int attempt = due.attempts() + 1;
        String paymentId = Payment.idFor(t.sessionId(), attempt);
        results.expect(paymentId);
        Availability after = db.write(c -> {
            ensureSessionRow(c, laneId, t, due);
            payments.insert(c, new Payment(paymentId, t.sessionId(), attempt, due.amount(), due.currency(),
                    deferNow ? Payment.Status.DEFERRED : Payment.Status.REQUESTED, deferNow, via, null, null, now, now));
            outbox.append(c, new PaymentRequested(paymentId, t.sessionId(), due.amount(), due.currency(), paymentMethod,
                    deferNow, due.plate()));
            if (deferNow) {
                return closeIn(c, laneId, t, due, PaymentStatus.DEFERRED, paymentId, now);
            }
            return null;
        });
        if (deferNow) {
            board.publish(after);
            LOG.info(() -> "exit of " + t.sessionId() + " deferred payment " + paymentId + " (" + state + ")");
            return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.DEFERRED, paymentId, true,
                    "payment deferred: it will be charged when the link returns");
        }
        return settle(laneId, t, due, paymentId, via);
    }

    /** Waits for the result of {@code paymentId} and acts on it, or applies the offline policy. */
    private Departure settle(String laneId, TicketSigner.Ticket t, Due due, String paymentId, Payment.Via via) {
        Optional<PaymentResult> result = results.await(paymentId, settings.payments().resultWait());
        if (result.isEmpty()) {
            // Maybe it arrived between the wait and now (delivered to the database but not to us).
            result = db.read(c -> payments.find(c, paymentId)).filter(p -> p.status() != Payment.Status.REQUESTED)
                    .map(p -> new PaymentResult(p.paymentId(), p.sessionId(), p.status() == Payment.Status.PAID
                            ? PaymentResult.Outcome.PAID : PaymentResult.Outcome.DECLINED, p.amount(), p.currency(),
                            p.providerReference(), p.failureCode(), null, p.deferred()));
        }
        Instant now = clock.instant();
        if (result.isEmpty()) {
            link.paymentTimedOut();
            boolean withinFloor = due.amount() <= settings.payments().floorLimit();
            if (via == Payment.Via.EXIT && withinFloor) {
                Availability after = db.write(c -> {
                    payments.updateStatus(c, paymentId, Payment.Status.DEFERRED, true, null, null, now);
                    return closeIn(c, laneId, t, due, PaymentStatus.DEFERRED, paymentId, now);
                });
                board.publish(after);
                return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.DEFERRED, paymentId,
                        true, "payment deferred: it will be charged when the link returns");
            }
            return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.PENDING, paymentId, false,
                    "no payment result in time: please pay at the pay station or try again");
        }
        link.paymentAnswered();
        PaymentResult r = result.get();
        if (r.outcome() != PaymentResult.Outcome.PAID) {
            throw new ParkingException(Kind.PAYMENT_REQUIRED, "PAYMENT_DECLINED",
                    "the payment was declined" + (r.failureCode() == null ? "" : " (" + r.failureCode() + ")")
                            + ": try another card or pay at the pay station",
                    Map.of("fee", Map.of("amount", due.amount(), "currency", due.currency()),
                            "sessionId", t.sessionId(), "paymentId", paymentId));
        }
        if (via == Payment.Via.PAY_STATION) {
            return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.PAID, paymentId, false,
                    "paid");
        }
        return close(laneId, t, due, PaymentStatus.PAID, paymentId, now);
    }

    private Departure close(String laneId, TicketSigner.Ticket t, Due due, PaymentStatus status, String paymentId,
                            Instant now) {
        Availability after = db.write(c -> {
            ensureSessionRow(c, laneId, t, due);
            return closeIn(c, laneId, t, due, status, paymentId, now);
        });
        board.publish(after);
        return new Departure(t.sessionId(), due.fee(), due.currency(), status, paymentId, true, null);
    }

    private Availability closeIn(Connection c, String laneId, TicketSigner.Ticket t, Due due, PaymentStatus status,
                                 String paymentId, Instant now) throws SQLException {
        if (!sessions.close(c, t.sessionId(), laneId, now, due.fee(), due.currency(), status, paymentId,
                due.lostTicket())) {
            throw new ParkingException(Kind.CONFLICT, "TICKET_ALREADY_USED", "this ticket was already used to exit");
        }
        outbox.append(c, new SessionClosed(t.sessionId(), laneId, t.entryTime(), now, due.fee(), due.currency(), status,
                paymentId, due.tariffVersion(), due.lostTicket()));
        if (due.foreignLevel() && settings.countsRamps()) {
            // The car came onto this level over a ramp, which counted it in; no session of ours holds it.
            occupancy.move(c, VehicleType.STANDARD, -1, "exit of a ticket without a session on this level");
        }
        return occupancy.refresh(c);
    }

    // ---------------------------------------------------------------- exit through another level

    /** What {@link #closeElsewhereIn} did; {@code availability} is null when nothing changed. */
    public record ClosedElsewhere(boolean closed, String detail, Availability availability) {
    }

    /**
     * A session opened on this level left through another level's exit ({@code command.close-session}). That
     * level billed the exit and reported the close, so no {@code session.closed} is written here again; the
     * session only stops holding its space and its plate. On a counting level with ramp counters the ramp
     * already counted the car out when it drove down, so the adjustment takes it back: the count stays as it
     * is. Runs in the caller's transaction; the caller publishes the availability after the commit.
     */
    public ClosedElsewhere closeElsewhereIn(Connection c, CloseSessionElsewhere command) throws SQLException {
        String id = command.sessionId();
        Optional<Session> session = sessions.find(c, id);
        if (session.isEmpty()) {
            return new ClosedElsewhere(false, "session " + id + " is unknown on this level", null);
        }
        String exitLane = "(level " + command.exitLevelId() + ")";
        if (!sessions.closeElsewhere(c, id, exitLane, command.exitTime())) {
            return new ClosedElsewhere(false, "session " + id + " was already closed on this level", null);
        }
        if (settings.countsRamps()) {
            occupancy.sessionClosedElsewhere(c, session.get().spotType());
        }
        LOG.info(() -> "session " + id + " left through the exit of level " + command.exitLevelId());
        return new ClosedElsewhere(true, "session " + id + " closed: it left through level " + command.exitLevelId(),
                occupancy.refresh(c));
    }

    /**
     * A ticket from another level of the same lot is valid (rule 4: any gate of the lot checks it offline);
     * its session is recorded here so the exit is billed and reported. The cloud merges both halves.
     */
    private void ensureSessionRow(Connection c, String laneId, TicketSigner.Ticket t, Due due) throws SQLException {
        if (due.foreignLevel() && sessions.find(c, t.sessionId()).isEmpty()) {
            sessions.insert(c, new Session(t.sessionId(), due.lostTicket() ? Session.LOST_TICKET_UNMATCHED
                    : Session.FROM_ANOTHER_LEVEL,
                    due.plate(), VehicleType.STANDARD,
                    VehicleType.STANDARD, t.entryTime(), due.tariffVersion(), Session.Status.OPEN, null, null, null,
                    null, null, null, false));
        }
    }

    /** Everything an exit needs to know about a ticket right now. */
    private record Due(long fee, long paid, long amount, String currency, int tariffVersion, int attempts,
                       String inFlight, String lastPaidId, String plate, boolean foreignLevel, boolean lostTicket) {
    }

    private Due due(Connection c, TicketSigner.Ticket t, Instant now, String lostTicketPlate) throws SQLException {
        Session s = sessions.find(c, t.sessionId()).orElse(null);
        if (s != null && s.status() == Session.Status.CLOSED) {
            throw new ParkingException(Kind.CONFLICT, "TICKET_ALREADY_USED", "this ticket was already used to exit");
        }
        Tariff tariff = tariffFor(c, s);
        List<Payment> attempts = s == null ? List.of() : payments.forSession(c, s.sessionId());
        boolean lost = lostTicketPlate != null;
        long fee = !lost ? TariffCalculator.fee(tariff, t.entryTime(), now)
                : TariffCalculator.lostTicketFee(tariff, s == null ? null : t.entryTime(), now);
        String plate = s != null ? s.plate() : lostTicketPlate;
        if (plate != null && allowListed(c, plate)) {
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
        Instant since = now.minus(settings.payments().payStationGrace());
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
            ps.setString(1, plate);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean levelClosed(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT closed FROM level_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getInt(1) == 1;
        }
    }

    private TicketSigner.Ticket verify(String ticket) {
        if (ticket == null || ticket.isBlank()) {
            throw new ParkingException(Kind.BAD_REQUEST, "TICKET_REQUIRED", "ticket is required");
        }
        try {
            return tickets.verify(ticket);
        } catch (InvalidTicketException e) {
            switch (e.kind()) {
                case FOREIGN -> throw new ParkingException(Kind.FORBIDDEN, "TICKET_FOREIGN", e.getMessage());
                case TAMPERED -> throw new ParkingException(Kind.FORBIDDEN, "TICKET_INVALID", e.getMessage());
                default -> throw new ParkingException(Kind.BAD_REQUEST, "TICKET_MALFORMED", e.getMessage());
            }
        }
    }

    private static void checkPaymentMethod(String paymentMethod) {
        if (paymentMethod != null && CARD_NUMBER.matcher(paymentMethod.trim()).matches()) {
            // Rule 5: card numbers never reach the edge. The value is not logged or echoed.
            throw new ParkingException(Kind.BAD_REQUEST, "CARD_NUMBER_REFUSED",
                    "paymentMethod must be a payment-method token from the card terminal, never a card number");
        }
    }

    static String normalizePlate(String plate) {
        if (plate == null || plate.isBlank()) {
            return null;
        }
        String p = plate.trim().toUpperCase(java.util.Locale.ROOT).replaceAll("[\\s-]+", "");
        if (!p.matches("[A-Z0-9]{1,12}")) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_PLATE",
                    "plate must be 1-12 letters and digits (spaces and dashes are ignored)");
        }
        return p;
    }
}
