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
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.discount.DiscountRepository;
import org.openparking.edge.discount.Discounts;
import org.openparking.edge.discount.ValidationSigner;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.Payment;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.edge.tariff.LineItem;
import org.openparking.edge.rules.LaneRules;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.ticket.InvalidTicketException;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.platform.jdbc.Database;
import org.openparking.protocol.CardNumbers;
import org.openparking.protocol.CloseSessionElsewhere;
import org.openparking.firmware.PlateRead;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.Plates;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/**
 * The session lifecycle of one level: entries, quotes, exits and closes. Every decision is taken from the
 * SQLite file and stored with its outbox rows in one transaction; how a fee due at an exit or the pay
 * station is collected, online or not, is the {@link OfflinePaymentPolicy}'s business, and barriers are
 * the lane's.
 */
public final class ParkingService {
    private static final Logger LOG = Logger.getLogger(ParkingService.class.getName());

    private final Database db;
    private final EdgeSettings settings;
    private final TicketSigner tickets;
    private final Outbox outbox;
    private final Occupancy occupancy;
    private final LevelAvailability board;
    private final SessionRepository sessions;
    private final TariffRepository tariffs;
    private final PaymentRepository payments;
    private final Dues dues;
    private final Discounts discounts;
    private final SessionCloser closer;
    private final OfflinePaymentPolicy policy;
    private final Clock clock;
    private final LaneRules rules;

    public ParkingService(Database db, EdgeSettings settings, TicketSigner tickets, Outbox outbox, Occupancy occupancy,
                          LevelAvailability board, SessionRepository sessions, TariffRepository tariffs,
                          PaymentRepository payments, PaymentResults results, PaymentLink link, Clock clock) {
        this(db, settings, tickets, outbox, occupancy, board, sessions, tariffs, payments, results, link, clock,
                new Discounts(new ValidationSigner(settings.lotId(), settings.ticketSecret()), new DiscountRepository()));
    }

    public ParkingService(Database db, EdgeSettings settings, TicketSigner tickets, Outbox outbox, Occupancy occupancy,
                          LevelAvailability board, SessionRepository sessions, TariffRepository tariffs,
                          PaymentRepository payments, PaymentResults results, PaymentLink link, Clock clock,
                          Discounts discounts) {
        this.discounts = discounts;
        this.db = db;
        this.settings = settings;
        this.tickets = tickets;
        this.outbox = outbox;
        this.occupancy = occupancy;
        this.board = board;
        this.sessions = sessions;
        this.tariffs = tariffs;
        this.payments = payments;
        this.rules = new LaneRules(settings.lotId(), settings.levelId(), outbox, settings.lanePolicy().rulesMaxAge());
        this.dues = new Dues(sessions, tariffs, payments, settings.payments().payStationGrace(), discounts, rules);
        this.closer = new SessionCloser(db, sessions, outbox, occupancy, board, settings.countsRamps(), discounts,
                rules);
        this.policy = new OfflinePaymentPolicy(db, settings.payments(), outbox, board, payments, results, link, closer,
                clock);
        this.clock = clock;
    }

    /** An admitted vehicle: its session, the signed ticket and the availability after it. */
    public record Admission(Session session, String ticket, Availability availability) {
    }

    /** What an exit decided. {@code gateOpens} is false for PENDING (pay at the pay station). */
    public record Departure(String sessionId, long fee, String currency, PaymentStatus paymentStatus,
                            String paymentId, boolean gateOpens, String message, List<LineItem> lineItems) {
    }

    /** {@code lineItems} (issue 19, additive) explain {@code amount}: their amounts sum to it. */
    public record Quote(String sessionId, long amount, long paid, long due, String currency, Instant entryTime,
                        int tariffVersion, List<LineItem> lineItems) {
    }

    /** Result of a payment at the pay station. */
    public record PayStationReceipt(String sessionId, String paymentId, long amount, String currency,
                                    PaymentStatus status, Instant exitBefore) {
    }

    // ---------------------------------------------------------------- entry

    /** What a vehicle presents at an entry: any of a plate, an access card, a reservation code. */
    public record Credentials(String plate, String card, String reservationCode) {
        public static Credentials plate(String plate) {
            return new Credentials(plate, null, null);
        }
    }

    public Admission admit(String laneId, String plate, VehicleType requested) {
        return admitWith(laneId, Credentials.plate(plate), requested);
    }

    /**
     * Admits a vehicle. A plate or card of a permit, or a reservation's plate or code, enters with that right
     * under the lane rules ({@link LaneRules#entryRight}); anything else is a walk-in, which may not take the
     * spaces held back for reservations still to come.
     */
    public Admission admitWith(String laneId, Credentials credentials, VehicleType requested) {
        VehicleType vehicleType = requested == null ? VehicleType.STANDARD : requested;
        Instant now = clock.instant();
        String normalizedPlate0 = normalizePlate(credentials.plate());
        Admission admission = db.write(c -> {
            if (levelClosed(c)) {
                throw new ParkingException(Kind.CONFLICT, "LEVEL_CLOSED", "the level is closed by an operator");
            }
            LaneRules.Right right = rules.entryRight(c, normalizedPlate0, credentials.card(),
                    credentials.reservationCode(), now);
            String normalizedPlate = normalizedPlate0 != null ? normalizedPlate0 : rules.plateOf(c, right);
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
            if (right.kind() == LaneRules.Right.Kind.WALK_IN) {
                int held = rules.heldBack(c, now);
                int free = counts.free(spotType);
                if (held > 0 && free <= held) {
                    throw new ParkingException(Kind.CONFLICT, "HELD_FOR_RESERVATIONS", "the " + free + " free "
                            + spotType.name().toLowerCase() + " spaces are held for " + held
                            + " reservations still to arrive");
                }
            }
            Tariff tariff = tariffs.current(c).orElseThrow();
            Session session = new Session(UUID.randomUUID().toString(), laneId, normalizedPlate, vehicleType, spotType,
                    now, tariff.version(), Session.Status.OPEN, null, null, null, null, null, null, false);
            sessions.insert(c, session);
            rules.entered(c, session.sessionId(), right, now);
            outbox.append(c, new SessionOpened(session.sessionId(), laneId, normalizedPlate, vehicleType, now,
                    tariff.version(), right.kind() == LaneRules.Right.Kind.WALK_IN ? null
                    : right.kind().name().toLowerCase(java.util.Locale.ROOT) + ":" + right.refId()));
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
        return quote(ticket, Discounts.Presented.NONE);
    }

    /** The quote with a validation and/or coupon applied; a refused one throws its named reason. */
    public Quote quote(String ticket, Discounts.Presented presented) {
        TicketSigner.Ticket t = verify(ticket);
        Instant now = clock.instant();
        return db.read(c -> dues.quote(c, t, now, presented));
    }

    /** Signs a merchant validation of {@code validatorId} for the ticket's session (the validation terminal). */
    public String validate(String ticket, String validatorId) {
        TicketSigner.Ticket t = verify(ticket);
        Instant now = clock.instant();
        return db.read(c -> {
            if (sessions.find(c, t.sessionId()).map(s -> s.status() == Session.Status.CLOSED).orElse(false)) {
                throw Dues.alreadyUsed();
            }
            return discounts.issue(c, t.lotId(), t.sessionId(), validatorId, now);
        });
    }

    // ---------------------------------------------------------------- exit

    /**
     * Releases a vehicle. Throws PAYMENT_REQUIRED when a fee is due and no payment method was given, and
     * PAYMENT_DECLINED when the card was refused; in both cases nothing about the session changes.
     */
    public Departure depart(String laneId, String ticket, String paymentMethod) {
        return depart(laneId, ticket, paymentMethod, Discounts.Presented.NONE);
    }

    /** An exit with a validation and/or coupon; each is verified offline and a refusal names its reason. */
    public Departure depart(String laneId, String ticket, String paymentMethod, Discounts.Presented presented) {
        checkPaymentMethod(paymentMethod);
        return depart(laneId, verify(ticket), null, paymentMethod, presented);
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
        return depart(laneId, t, normalized, paymentMethod, Discounts.Presented.NONE);
    }

    /**
     * A ticketless exit (pay-by-plate) from the lane's newest plate read. The lane never guesses: the read must be
     * fresh, of a vehicle, confident by its reader's threshold, the rules fresh, the plate's open session and its
     * account known, and the fee at most {@code ticketless.max-fee}; otherwise the exit is refused with the named
     * reason and the driver presents a ticket or credential. A permit or prepaid reservation leaves with no fee.
     */
    public Departure departTicketless(String laneId, PlateRead read) {
        Instant now = clock.instant();
        EdgeSettings.LanePolicy lane = settings.lanePolicy();
        if (read == null || read.at().plus(lane.readMaxAge()).isBefore(now)
                || read.at().isAfter(now.plus(lane.readMaxAge()))) {
            // A read stamped in the future (the camera's clock is off) would stay "fresh" forever: not used.
            throw new ParkingException(Kind.CONFLICT, "NO_PLATE_READ", fallback("no plate read at lane " + laneId + " in the last "
                    + lane.readMaxAge().toSeconds() + " s"), TICKET_FALLBACK);
        }
        if (read.noVehicle()) {
            throw new ParkingException(Kind.CONFLICT, "NO_VEHICLE", fallback("the camera of lane " + laneId
                    + " sees no vehicle: nothing to release"), TICKET_FALLBACK);
        }
        if (read.plate() == null) {
            throw new ParkingException(Kind.CONFLICT, "NO_PLATE_READ", fallback("the camera of lane " + laneId
                    + " saw a vehicle but read no plate"), TICKET_FALLBACK);
        }
        if (!read.confident()) {
            throw new ParkingException(Kind.CONFLICT, "LOW_CONFIDENCE", fallback("the plate read scored " + read.confidence() + ", below its reader's "
                    + "threshold " + read.threshold()), TICKET_FALLBACK);
        }
        String plate = Plates.normalize(read.plate());
        record Found(String sessionId, Instant entryTime, boolean free, String paymentMethod) {
        }
        Found found = db.read(c -> {
            if (rules.stale(c, now)) {
                throw new ParkingException(Kind.CONFLICT, "STALE_RULES", fallback("the lane rules are older than lane-rules.max-age "
                        + lane.rulesMaxAge() + " (or never arrived)"), TICKET_FALLBACK);
            }
            String id = rules.openSessionOf(c, plate).orElseThrow(() -> new ParkingException(Kind.CONFLICT,
                    "UNKNOWN_VEHICLE", fallback("no open session on this level for the plate read"), TICKET_FALLBACK));
            Session s = sessions.find(c, id).orElseThrow();
            return new Found(id, s.entryTime(), rules.freeExit(c, id), rules.accountOf(c, plate).orElse(null));
        });
        TicketSigner.Ticket t = new TicketSigner.Ticket(settings.lotId(), found.sessionId(), found.entryTime());
        Due due = db.read(c -> dues.due(c, t, now, null, Discounts.Presented.NONE));
        if (due.amount() <= 0) {
            return depart(laneId, t, null, null, Discounts.Presented.NONE);
        }
        if (found.paymentMethod() == null) {
            throw new ParkingException(Kind.CONFLICT, "NO_ACCOUNT", fallback("the plate has no pay-by-plate account: a fee of " + due.amount() + " "
                    + due.currency() + " is due"), TICKET_FALLBACK);
        }
        if (due.amount() > lane.ticketlessMaxFee()) {
            throw new ParkingException(Kind.CONFLICT, "FEE_ABOVE_LIMIT", fallback("the fee " + due.amount() + " is above ticketless.max-fee "
                    + lane.ticketlessMaxFee()), TICKET_FALLBACK);
        }
        return depart(laneId, t, null, found.paymentMethod(), Discounts.Presented.NONE);
    }

    /** What a refused ticketless exit adds to its error body: the lane asks for a ticket or credential. */
    private static final Map<String, Object> TICKET_FALLBACK = Map.of("fallback", "TICKET");

    private static String fallback(String message) {
        return message + "; present your ticket or credential";
    }

    // ---------------------------------------------------------------- lane rules

    public LaneRules rules() {
        return rules;
    }

    public EdgeSettings.LanePolicy lanePolicy() {
        return settings.lanePolicy();
    }

    public LaneRules.State rulesState() {
        return db.read(c -> rules.state(c, clock.instant()));
    }

    /** What setting a permit to neutral did: the open session it closed, if any. */
    public record Neutral(String permitId, String closedSessionId) {
    }

    /**
     * Anti-passback reset by an operator: the permit counts as out, and the open session its last entry opened
     * (the car left while the gate was up) is closed with no fee, reported as {@code session.closed}.
     */
    public Neutral setNeutral(String permitId, String by) {
        Instant now = clock.instant();
        record Result(String closed, Availability availability) {
        }
        Result r = db.write(c -> {
            Optional<String> sessionId = rules.setNeutral(c, permitId, now);
            if (sessionId.isEmpty()) {
                return new Result(null, null);
            }
            Optional<Session> s = sessions.find(c, sessionId.get());
            if (s.isEmpty() || s.get().status() != Session.Status.OPEN) {
                return new Result(null, null);
            }
            TicketSigner.Ticket t = new TicketSigner.Ticket(settings.lotId(), s.get().sessionId(), s.get().entryTime());
            Due due = dues.due(c, t, now, null, Discounts.Presented.NONE);
            return new Result(t.sessionId(), closer.closeIn(c, "(neutral)", t, due, PaymentStatus.NOT_REQUIRED,
                    null, now));
        });
        if (r.availability() != null) {
            board.publish(r.availability());
        }
        LOG.info(() -> "permit " + permitId + " set to neutral by " + by
                + (r.closed() == null ? "" : ", its session " + r.closed() + " closed"));
        return new Neutral(permitId, r.closed());
    }

    /** {@code lostTicketPlate} is null for an exit with a ticket. */
    private Departure depart(String laneId, TicketSigner.Ticket t, String lostTicketPlate, String paymentMethod,
                             Discounts.Presented presented) {
        Instant now = clock.instant();
        Due due = db.read(c -> dues.due(c, t, now, lostTicketPlate, presented));
        if (due.amount() <= 0) {
            PaymentStatus status = due.paid() > 0 ? PaymentStatus.PAID : PaymentStatus.NOT_REQUIRED;
            return closer.close(laneId, t, due, status, due.lastPaidId(), now);
        }
        if (paymentMethod == null || paymentMethod.isBlank()) {
            throw new ParkingException(Kind.PAYMENT_REQUIRED, "PAYMENT_REQUIRED",
                    "a fee of " + due.amount() + " " + due.currency() + " is due: present a card or pay at the pay station",
                    Map.of("fee", Map.of("amount", due.amount(), "currency", due.currency()),
                            "sessionId", t.sessionId(), "lineItems", due.lineItems()));
        }
        return policy.charge(laneId, t, due, paymentMethod, Payment.Via.EXIT);
    }

    /** Pays at the pay station; the driver then has {@code payments.pay-station-grace} to leave. */
    public PayStationReceipt payAtStation(String ticket, String paymentMethod) {
        checkPaymentMethod(paymentMethod);
        if (paymentMethod == null || paymentMethod.isBlank()) {
            throw new ParkingException(Kind.BAD_REQUEST, "PAYMENT_METHOD_REQUIRED", "paymentMethod is required");
        }
        TicketSigner.Ticket t = verify(ticket);
        Instant now = clock.instant();
        Due due = db.read(c -> dues.due(c, t, now, null, Discounts.Presented.NONE));
        return policy.payAtStation(t, due, paymentMethod, now);
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
        rules.closed(c, id, command.exitTime());
        LOG.info(() -> "session " + id + " left through the exit of level " + command.exitLevelId());
        return new ClosedElsewhere(true, "session " + id + " closed: it left through level " + command.exitLevelId(),
                occupancy.refresh(c));
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
        if (CardNumbers.looksLikePan(paymentMethod)) {
            // Rule 5: card numbers never reach the edge. The value is not logged or echoed.
            throw new ParkingException(Kind.BAD_REQUEST, "CARD_NUMBER_REFUSED",
                    "paymentMethod must be a payment-method token from the card terminal, never a card number");
        }
    }

    static String normalizePlate(String plate) {
        String p = Plates.normalize(plate);
        if (p == null) {
            return null;
        }
        if (!Plates.valid(p)) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_PLATE",
                    "plate must be 1-12 letters and digits (spaces, dots and dashes are ignored)");
        }
        return p;
    }
}
