package org.openparking.edge.session;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.Payment;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.edge.session.ParkingService.Departure;
import org.openparking.edge.session.ParkingService.PayStationReceipt;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.platform.jdbc.Database;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.PaymentStatus;

/**
 * How a fee is collected, online or not (offline-first rule 6): with the payment link ONLINE the exit
 * waits up to {@code payments.wait} for the result; otherwise, or when no result came in time, a fee at
 * or below the floor limit is deferred (requested now, charged when the link returns, the gate opens) and
 * a larger one sends the driver to the pay station, which itself only takes cards while ONLINE.
 */
final class OfflinePaymentPolicy {
    private static final Logger LOG = Logger.getLogger(OfflinePaymentPolicy.class.getName());
    private static final String DEFERRED = "payment deferred: it will be charged when the link returns";

    private final Database db;
    private final EdgeSettings.Payments settings;
    private final Outbox outbox;
    private final LevelAvailability board;
    private final PaymentRepository payments;
    private final PaymentResults results;
    private final PaymentLink link;
    private final SessionCloser closer;
    private final Clock clock;

    OfflinePaymentPolicy(Database db, EdgeSettings.Payments settings, Outbox outbox, LevelAvailability board,
                         PaymentRepository payments, PaymentResults results, PaymentLink link, SessionCloser closer,
                         Clock clock) {
        this.db = db;
        this.settings = settings;
        this.outbox = outbox;
        this.board = board;
        this.payments = payments;
        this.results = results;
        this.link = link;
        this.closer = closer;
        this.clock = clock;
    }

    /** A payment at the pay station; the driver then has {@code payments.pay-station-grace} to leave. */
    PayStationReceipt payAtStation(TicketSigner.Ticket t, Due due, String paymentMethod, Instant now) {
        if (due.amount() <= 0) {
            return new PayStationReceipt(t.sessionId(), due.lastPaidId(), 0, due.currency(),
                    due.paid() > 0 ? PaymentStatus.PAID : PaymentStatus.NOT_REQUIRED,
                    now.plus(settings.payStationGrace()));
        }
        if (link.state() != PaymentLink.State.ONLINE) {
            throw new ParkingException(Kind.UNAVAILABLE, "PAYMENTS_UNAVAILABLE",
                    "card payments are unavailable right now (" + link.state() + "); please call the attendant");
        }
        Departure d = charge(null, t, due, paymentMethod, Payment.Via.PAY_STATION);
        return new PayStationReceipt(t.sessionId(), d.paymentId(), d.fee(), d.currency(), d.paymentStatus(),
                d.paymentStatus() == PaymentStatus.PAID ? clock.instant().plus(settings.payStationGrace()) : null);
    }

    /** Charges {@code due} at an exit ({@code laneId}) or the pay station ({@code laneId} null). */
    Departure charge(String laneId, TicketSigner.Ticket t, Due due, String paymentMethod, Payment.Via via) {
        Instant now = clock.instant();
        PaymentLink.State state = link.state();
        boolean exit = via == Payment.Via.EXIT;
        boolean withinFloor = due.amount() <= settings.floorLimit();
        if (state != PaymentLink.State.ONLINE && exit && !withinFloor) {
            return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.PENDING, null, false,
                    "card payments are unavailable (" + state + "): please pay at the pay station", due.lineItems());
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
            closer.ensureSessionRow(c, t, due);
            payments.insert(c, new Payment(paymentId, t.sessionId(), attempt, due.amount(), due.currency(),
                    deferNow ? Payment.Status.DEFERRED : Payment.Status.REQUESTED, deferNow, via, null, null, now, now));
            outbox.append(c, new PaymentRequested(paymentId, t.sessionId(), due.amount(), due.currency(), paymentMethod,
                    deferNow, due.plate()));
            if (deferNow) {
                return closer.closeIn(c, laneId, t, due, PaymentStatus.DEFERRED, paymentId, now);
            }
            return null;
        });
        if (deferNow) {
            board.publish(after);
            LOG.info(() -> "exit of " + t.sessionId() + " deferred payment " + paymentId + " (" + state + ")");
            return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.DEFERRED, paymentId, true,
                    DEFERRED, due.lineItems());
        }
        return settle(laneId, t, due, paymentId, via);
    }

    /** Waits for the result of {@code paymentId} and acts on it, or applies the offline policy. */
    private Departure settle(String laneId, TicketSigner.Ticket t, Due due, String paymentId, Payment.Via via) {
        Optional<PaymentResult> result = results.await(paymentId, settings.resultWait());
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
            boolean withinFloor = due.amount() <= settings.floorLimit();
            if (via == Payment.Via.EXIT && withinFloor) {
                Availability after = db.write(c -> {
                    payments.updateStatus(c, paymentId, Payment.Status.DEFERRED, true, null, null, now);
                    return closer.closeIn(c, laneId, t, due, PaymentStatus.DEFERRED, paymentId, now);
                });
                board.publish(after);
                return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.DEFERRED, paymentId,
                        true, DEFERRED, due.lineItems());
            }
            return new Departure(t.sessionId(), due.amount(), due.currency(), PaymentStatus.PENDING, paymentId, false,
                    "no payment result in time: please pay at the pay station or try again", due.lineItems());
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
                    "paid", due.lineItems());
        }
        return closer.close(laneId, t, due, PaymentStatus.PAID, paymentId, now);
    }
}
