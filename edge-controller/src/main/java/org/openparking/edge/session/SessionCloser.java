package org.openparking.edge.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.openparking.edge.discount.Discounts;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.rules.LaneRules;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.platform.jdbc.Database;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.VehicleType;

/** Closes a session at an exit of this level: the row, its {@code session.closed} and the count, in one transaction. */
final class SessionCloser {
    private final Database db;
    private final SessionRepository sessions;
    private final Outbox outbox;
    private final Occupancy occupancy;
    private final LevelAvailability board;
    private final boolean countsRamps;
    private final Discounts discounts;
    private final LaneRules rules;

    SessionCloser(Database db, SessionRepository sessions, Outbox outbox, Occupancy occupancy, LevelAvailability board,
                  boolean countsRamps, Discounts discounts, LaneRules rules) {
        this.discounts = discounts;
        this.rules = rules;
        this.db = db;
        this.sessions = sessions;
        this.outbox = outbox;
        this.occupancy = occupancy;
        this.board = board;
        this.countsRamps = countsRamps;
    }

    ParkingService.Departure close(String laneId, TicketSigner.Ticket t, Due due, PaymentStatus status,
                                   String paymentId, Instant now) {
        Availability after = db.write(c -> {
            ensureSessionRow(c, t, due);
            return closeIn(c, laneId, t, due, status, paymentId, now);
        });
        board.publish(after);
        return new ParkingService.Departure(t.sessionId(), due.fee(), due.currency(), status, paymentId, true, null,
                due.lineItems());
    }

    Availability closeIn(Connection c, String laneId, TicketSigner.Ticket t, Due due, PaymentStatus status,
                         String paymentId, Instant now) throws SQLException {
        if (!sessions.close(c, t.sessionId(), laneId, now, due.fee(), due.currency(), status, paymentId,
                due.lostTicket())) {
            throw Dues.alreadyUsed();
        }
        discounts.recordClose(c, t.sessionId(), due.discounts(), now);
        rules.closed(c, t.sessionId(), now);
        outbox.append(c, new SessionClosed(t.sessionId(), laneId, t.entryTime(), now, due.fee(), due.currency(), status,
                paymentId, due.tariffVersion(), due.lostTicket(), due.discounts()));
        if (due.foreignLevel() && countsRamps) {
            // The car came onto this level over a ramp, which counted it in; no session of ours holds it.
            occupancy.move(c, VehicleType.STANDARD, -1, "exit of a ticket without a session on this level");
        }
        return occupancy.refresh(c);
    }

    /**
     * A ticket from another level of the same lot is valid (rule 4: any gate of the lot checks it offline);
     * its session is recorded here so the exit is billed and reported. The cloud merges both halves.
     */
    void ensureSessionRow(Connection c, TicketSigner.Ticket t, Due due) throws SQLException {
        if (due.foreignLevel() && sessions.find(c, t.sessionId()).isEmpty()) {
            sessions.insert(c, new Session(t.sessionId(), due.lostTicket() ? Session.LOST_TICKET_UNMATCHED
                    : Session.FROM_ANOTHER_LEVEL,
                    due.plate(), VehicleType.STANDARD,
                    VehicleType.STANDARD, t.entryTime(), due.tariffVersion(), Session.Status.OPEN, null, null, null,
                    null, null, null, false));
        }
    }
}
