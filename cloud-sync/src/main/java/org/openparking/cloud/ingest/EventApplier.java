package org.openparking.cloud.ingest;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.CloseSessionElsewhere;
import org.openparking.protocol.CommandApplied;
import org.openparking.protocol.DriftRecorded;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Json;
import org.openparking.protocol.LaneChanged;
import org.openparking.protocol.Message;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.EdgeStatus;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.RefundRequested;
import org.openparking.protocol.RefundResult;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.SessionOpened;

/**
 * Applies one envelope to PostgreSQL in one transaction: the inbox row (the envelope id) and the
 * effect commit together, so a redelivery finds the id and changes nothing. Every effect is
 * order-tolerant: each column has a single source event type, state-carrying rows keep the
 * highest version, and first-final-result-wins for payments.
 */
public final class EventApplier {
    /** What applying did. */
    public enum Outcome { APPLIED, DUPLICATE }

    private static final Logger LOG = Logger.getLogger(EventApplier.class.getName());
    /** {@code requested_by} of the commands the ingest issues by itself. */
    static final String SYSTEM = "system";

    private final DataSource dataSource;
    private final Clock clock;
    private final OutgoingMessages outgoing;

    /**
     * {@code outgoing} writes the commands an event makes necessary (a session closed on another level than the
     * one that opened it) in the event's transaction, and publishes them after the commit.
     */
    public EventApplier(DataSource dataSource, Clock clock, OutgoingMessages outgoing) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.outgoing = outgoing;
    }

    /** The id of the one {@code command.close-session} a session can cause: a redelivery finds it taken. */
    public static String closeSessionCommandId(String sessionId) {
        return "close-session-" + sessionId;
    }

    /** One delivery to apply: the envelope and whether an edge sent it ({@code edge.*} routing key). */
    public record Item(Envelope envelope, boolean fromEdge) {
    }

    /**
     * Applies {@code envelope}. {@code fromEdge} is true for events an edge published itself
     * ({@code edge.*} routing keys); only those advance the edge's sequence tracking, since the
     * payment worker numbers its own messages.
     */
    public Outcome apply(Envelope envelope, boolean fromEdge) throws SQLException {
        return applyAll(List.of(new Item(envelope, fromEdge))).getFirst();
    }

    /**
     * Applies several deliveries in one transaction (one commit for all), returning one outcome
     * per item in the given order. Effects are order-tolerant, so the items are applied sorted by
     * edge and seq: concurrent batches then take the edges' rows in the same order. For each
     * item, the edge row is locked before the effect, so two batches of one edge queue up on it
     * instead of deadlocking on the rows behind it.
     */
    public List<Outcome> applyAll(List<Item> items) throws SQLException {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing((Integer i) -> items.get(i).envelope().edgeId())
                .thenComparingLong(i -> items.get(i).envelope().seq()));
        List<OutgoingMessages.Pending> commands = new ArrayList<>();
        List<Outcome> result = Jdbc.inTransaction(dataSource, c -> {
            commands.clear();
            Outcome[] outcomes = new Outcome[items.size()];
            for (int i : order) {
                Envelope envelope = items.get(i).envelope();
                if (envelope.payload() instanceof EdgeStatus status) {
                    // A snapshot outside the event sequence: newest wins, no inbox row, no seq tracking.
                    edgeStatus(c, envelope, status);
                    outcomes[i] = Outcome.APPLIED;
                    continue;
                }
                int inserted = Jdbc.update(c, """
                        INSERT INTO inbox (message_id, type, edge_id, seq) VALUES (?, ?, ?, ?)
                        ON CONFLICT (message_id) DO NOTHING""",
                        envelope.id(), envelope.type(), envelope.edgeId(), envelope.seq());
                if (inserted == 0) {
                    outcomes[i] = Outcome.DUPLICATE;
                    continue;
                }
                if (items.get(i).fromEdge()) {
                    trackEdge(c, envelope);
                }
                applyEffect(c, envelope, commands);
                outcomes[i] = Outcome.APPLIED;
            }
            return List.of(outcomes);
        });
        publishCommitted(commands);
        return result;
    }

    /**
     * Publishes the commands the batch wrote, after its commit. A publish that fails leaves them unsent for the
     * re-publisher; the events stay applied either way.
     */
    private void publishCommitted(List<OutgoingMessages.Pending> commands) {
        if (commands.isEmpty()) {
            return;
        }
        try {
            outgoing.publish(commands);
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.log(Level.INFO, "commands " + commands.stream().map(OutgoingMessages.Pending::commandId).toList()
                    + " stored, publish failed; the re-publisher sends them", e);
        }
    }

    private void applyEffect(Connection c, Envelope e, List<OutgoingMessages.Pending> commands) throws SQLException {
        Message payload = e.payload();
        switch (payload) {
            case SessionOpened m -> closeAtEntryLevel(c, m.sessionId(), sessionOpened(c, e, m), commands);
            case SessionClosed m -> closeAtEntryLevel(c, m.sessionId(), sessionClosed(c, e, m), commands);
            case AvailabilityChanged m -> availability(c, e, m);
            case LaneChanged m -> lane(c, e, m);
            case DriftRecorded m -> drift(c, e, m);
            case CommandApplied m -> commandApplied(c, e, m);
            case PaymentRequested m -> paymentRequested(c, e, m);
            case PaymentResult m -> paymentResult(c, e, m);
            case RefundResult m -> refundResult(c, e, m);
            case EdgeStatus m -> edgeStatus(c, e, m);
            // Refund requests are the cloud's own messages; one seen here changes nothing.
            case RefundRequested m -> { }
            case Message.Command m -> throw new InvalidEventException("a command is not an event: " + m.type());
        }
    }

    private static void edgeStatus(Connection c, Envelope e, EdgeStatus m) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO edges (edge_id, lot_id, level_id, last_seen, software_version, sync_state, outbox_pending,
                                   oldest_pending_age_seconds, status_at)
                VALUES (?, ?, ?, now(), ?, ?, ?, ?, ?)
                ON CONFLICT (edge_id) DO UPDATE SET
                    last_seen = GREATEST(edges.last_seen, EXCLUDED.last_seen),
                    software_version = EXCLUDED.software_version, sync_state = EXCLUDED.sync_state,
                    outbox_pending = EXCLUDED.outbox_pending,
                    oldest_pending_age_seconds = EXCLUDED.oldest_pending_age_seconds, status_at = EXCLUDED.status_at
                WHERE edges.status_at IS NULL OR edges.status_at < EXCLUDED.status_at""",
                e.edgeId(), e.lotId(), e.levelId(), m.softwareVersion(), m.syncState(), m.outboxPending(),
                m.oldestPendingAgeSeconds(), e.occurredAt());
    }

    /** Both halves of a session as the upsert left them (the other half as last committed, or null). */
    private record Halves(String lotId, String entryLevelId, String exitLevelId, Instant exitTime) {
    }

    /** The upsert's RETURNING row: the row as locked and updated, so it includes a half committed meanwhile. */
    private static Halves halves(Connection c, String sql, Object... params) throws SQLException {
        return Jdbc.query(c, sql, rs -> new Halves(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant()), params).getFirst();
    }

    /**
     * The session's edge and level are the entry level's: a close from another level's exit that arrived first
     * created the row with its own, and the open replaces them, so every order ends the same.
     */
    private static Halves sessionOpened(Connection c, Envelope e, SessionOpened m) throws SQLException {
        Halves halves = halves(c, """
                INSERT INTO sessions (session_id, edge_id, lot_id, level_id, status, entry_time, entry_lane, plate,
                                      vehicle_type, entry_tariff_version, entry_level_id)
                VALUES (?, ?, ?, ?, 'OPEN', ?, ?, ?, ?, ?, ?)
                ON CONFLICT (session_id) DO UPDATE SET
                    edge_id = EXCLUDED.edge_id, level_id = EXCLUDED.level_id,
                    entry_time = EXCLUDED.entry_time, entry_lane = EXCLUDED.entry_lane, plate = EXCLUDED.plate,
                    vehicle_type = EXCLUDED.vehicle_type, entry_tariff_version = EXCLUDED.entry_tariff_version,
                    entry_level_id = EXCLUDED.entry_level_id
                RETURNING lot_id, entry_level_id, exit_level_id, exit_time""",
                m.sessionId(), e.edgeId(), e.lotId(), e.levelId(), m.entryTime(), m.laneId(), m.plate(),
                m.vehicleType(), m.tariffVersion(), e.levelId());
        if (m.plate() != null) {
            // A ledger entry recorded before the open arrived has no plate yet.
            Jdbc.update(c, "UPDATE unable_to_collect SET plate = ? WHERE session_id = ? AND plate IS NULL",
                    m.plate(), m.sessionId());
        }
        return halves;
    }

    private static Halves sessionClosed(Connection c, Envelope e, SessionClosed m) throws SQLException {
        // A close that arrives first creates the row; the open fills in the entry columns later.
        Halves halves = halves(c, """
                INSERT INTO sessions (session_id, edge_id, lot_id, level_id, status, entry_time, exit_time, exit_lane,
                                      fee_amount, currency, payment_status, payment_id, tariff_version, lost_ticket,
                                      exit_level_id)
                VALUES (?, ?, ?, ?, 'CLOSED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (session_id) DO UPDATE SET
                    status = 'CLOSED', exit_time = EXCLUDED.exit_time, exit_lane = EXCLUDED.exit_lane,
                    fee_amount = EXCLUDED.fee_amount, currency = EXCLUDED.currency,
                    payment_status = EXCLUDED.payment_status, payment_id = EXCLUDED.payment_id,
                    tariff_version = EXCLUDED.tariff_version, lost_ticket = EXCLUDED.lost_ticket,
                    exit_level_id = EXCLUDED.exit_level_id
                RETURNING lot_id, entry_level_id, exit_level_id, exit_time""",
                m.sessionId(), e.edgeId(), e.lotId(), e.levelId(), m.entryTime(), m.exitTime(), m.laneId(),
                m.feeAmount(), m.currency(), m.paymentStatus(), m.paymentId(), m.tariffVersion(), m.lostTicket(),
                e.levelId());
        if (m.paymentStatus() == PaymentStatus.DEFERRED && m.paymentId() != null) {
            // The gate opened before the charge. If the edge decided so after its wait timed out, the
            // request itself went out undeferred: the close is what marks the payment deferred.
            Jdbc.update(c, """
                    INSERT INTO payments (payment_id, session_id, lot_id, level_id, amount, currency, deferred)
                    VALUES (?, ?, ?, ?, ?, ?, TRUE)
                    ON CONFLICT (payment_id) DO UPDATE SET deferred = TRUE""",
                    m.paymentId(), m.sessionId(), e.lotId(), e.levelId(), m.feeAmount(), m.currency());
            recordIfUncollectable(c, m.paymentId());
        }
        return halves;
    }

    /**
     * A session that entered on one level and left through another level's exit stays open at the entry level
     * unless told: once both halves are here, whichever arrived second writes {@code command.close-session} for
     * the entry level in this transaction. Its id is derived from the session, so a redelivery (or the other
     * half's event replayed under a new id) finds it written and adds nothing.
     */
    private void closeAtEntryLevel(Connection c, String sessionId, Halves halves,
                                   List<OutgoingMessages.Pending> commands) throws SQLException {
        if (halves.entryLevelId() == null || halves.exitLevelId() == null
                || halves.entryLevelId().equals(halves.exitLevelId())) {
            return;
        }
        outgoing.toEdgeOnce(c, closeSessionCommandId(sessionId), halves.lotId(), halves.entryLevelId(),
                        new CloseSessionElsewhere(sessionId, halves.exitTime(),
                                Envelope.edgeId(halves.lotId(), halves.exitLevelId()), halves.exitLevelId()), SYSTEM)
                .ifPresent(commands::add);
    }

    private static void availability(Connection c, Envelope e, AvailabilityChanged m) throws SQLException {
        Map<String, AvailabilityChanged.TypeCount> byType = new TreeMap<>();
        m.byType().forEach((type, count) -> byType.put(type.name(), count));
        String byTypeJson;
        try {
            byTypeJson = Json.mapper().writeValueAsString(byType);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        Jdbc.update(c, """
                INSERT INTO levels (lot_id, level_id, edge_id, capacity, occupied, free, by_type, status, version, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (lot_id, level_id) DO UPDATE SET
                    edge_id = EXCLUDED.edge_id, capacity = EXCLUDED.capacity, occupied = EXCLUDED.occupied,
                    free = EXCLUDED.free, by_type = EXCLUDED.by_type, status = EXCLUDED.status,
                    version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
                WHERE levels.version < EXCLUDED.version""",
                e.lotId(), e.levelId(), e.edgeId(), m.capacity(), m.occupied(), m.free(), new Jdbc.Json(byTypeJson),
                m.status(), m.version(), m.updatedAt());
    }

    private static void lane(Connection c, Envelope e, LaneChanged m) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO lanes (lot_id, level_id, lane_id, barrier, version, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (lot_id, level_id, lane_id) DO UPDATE SET
                    barrier = EXCLUDED.barrier, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
                WHERE lanes.version < EXCLUDED.version""",
                e.lotId(), e.levelId(), m.laneId(), m.barrier(), m.version(), m.updatedAt());
    }

    private static void drift(Connection c, Envelope e, DriftRecorded m) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO drift_records (message_id, edge_id, lot_id, level_id, vehicle_type, reason, expected,
                                           observed, occurred_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                e.id(), e.edgeId(), e.lotId(), e.levelId(), m.vehicleType(), m.reason(), m.expected(),
                m.observed(), e.occurredAt());
    }

    private static void commandApplied(Connection c, Envelope e, CommandApplied m) throws SQLException {
        // The first receipt wins; an unknown command id (issued by another deployment) changes nothing.
        Jdbc.update(c, """
                UPDATE commands SET applied_at = ?, applied = ?, applied_detail = ?
                WHERE command_id = ? AND applied_at IS NULL""",
                e.occurredAt(), m.applied(), m.detail(), m.commandId());
    }

    private static void paymentRequested(Connection c, Envelope e, PaymentRequested m) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO payments (payment_id, session_id, edge_id, lot_id, level_id, plate, amount, currency,
                                      deferred, requested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (payment_id) DO UPDATE SET
                    edge_id = EXCLUDED.edge_id, plate = EXCLUDED.plate, amount = EXCLUDED.amount,
                    currency = EXCLUDED.currency, deferred = payments.deferred OR EXCLUDED.deferred,
                    requested_at = EXCLUDED.requested_at""",
                m.paymentId(), m.sessionId(), e.edgeId(), e.lotId(), e.levelId(), m.plate(), m.amount(),
                m.currency(), m.deferred(), e.occurredAt());
        recordIfUncollectable(c, m.paymentId());
    }

    private static void paymentResult(Connection c, Envelope e, PaymentResult m) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO payments (payment_id, session_id, lot_id, level_id, amount, currency, deferred, outcome,
                                      provider_reference, failure_code, failure_message, result_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (payment_id) DO UPDATE SET
                    deferred = payments.deferred OR EXCLUDED.deferred,
                    outcome = COALESCE(payments.outcome, EXCLUDED.outcome),
                    provider_reference = CASE WHEN payments.outcome IS NULL THEN EXCLUDED.provider_reference
                                              ELSE payments.provider_reference END,
                    failure_code = CASE WHEN payments.outcome IS NULL THEN EXCLUDED.failure_code
                                        ELSE payments.failure_code END,
                    failure_message = CASE WHEN payments.outcome IS NULL THEN EXCLUDED.failure_message
                                           ELSE payments.failure_message END,
                    result_at = CASE WHEN payments.outcome IS NULL THEN EXCLUDED.result_at
                                     ELSE payments.result_at END""",
                m.paymentId(), m.sessionId(), e.lotId(), e.levelId(), m.amount(), m.currency(), m.deferred(),
                m.outcome(), m.providerReference(), m.failureCode(), m.failureMessage(), e.occurredAt());
        recordIfUncollectable(c, m.paymentId());
    }

    /**
     * A deferred payment with a DECLINED or FAILED outcome goes to the ledger once; which of
     * request and result arrived first does not matter, both call this.
     */
    private static void recordIfUncollectable(Connection c, String paymentId) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO unable_to_collect (payment_id, session_id, lot_id, level_id, plate, amount, currency,
                                               outcome, failure_code, failure_message, failed_at)
                SELECT p.payment_id, p.session_id, p.lot_id, p.level_id,
                       COALESCE(p.plate, (SELECT s.plate FROM sessions s WHERE s.session_id = p.session_id)),
                       p.amount, p.currency,
                       p.outcome, p.failure_code, p.failure_message, p.result_at
                FROM payments p
                WHERE p.payment_id = ? AND p.deferred AND p.outcome IN ('DECLINED', 'FAILED')
                ON CONFLICT (payment_id) DO UPDATE SET plate = COALESCE(unable_to_collect.plate, EXCLUDED.plate)""",
                paymentId);
    }

    private static void refundResult(Connection c, Envelope e, RefundResult m) throws SQLException {
        String status = "REFUNDED".equals(m.outcome()) ? "REFUNDED" : "FAILED";
        Jdbc.update(c, """
                INSERT INTO refunds (refund_id, payment_id, session_id, amount, currency, status, provider_reference,
                                     failure_code, result_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (refund_id) DO UPDATE SET
                    status = EXCLUDED.status, provider_reference = EXCLUDED.provider_reference,
                    failure_code = EXCLUDED.failure_code, result_at = EXCLUDED.result_at
                WHERE refunds.status = 'REQUESTED'""",
                m.refundId(), m.paymentId(), m.sessionId(), m.amount(), m.currency(), status,
                m.providerReference(), m.failureCode(), e.occurredAt());
    }

    /** Sequence tracking of the sending edge: last seq, the contiguous prefix, gaps, last seen and lag. */
    private void trackEdge(Connection c, Envelope e) throws SQLException {
        Instant now = clock.instant();
        double lag = Math.max(0, Duration.between(e.occurredAt(), now).toMillis() / 1000.0);
        // Fast path in the same statement: the next seq in line, with nothing pending, advances the prefix.
        long contiguous;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO edges (edge_id, lot_id, level_id, last_seq, contiguous_seq, events_received, last_seen,
                                   last_event_at, lag_seconds)
                VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)
                ON CONFLICT (edge_id) DO UPDATE SET
                    last_seq = GREATEST(edges.last_seq, EXCLUDED.last_seq),
                    contiguous_seq = CASE
                        WHEN EXCLUDED.last_seq = edges.contiguous_seq + 1 AND edges.pending_count = 0
                        THEN EXCLUDED.last_seq ELSE edges.contiguous_seq END,
                    events_received = edges.events_received + 1,
                    last_seen = GREATEST(edges.last_seen, EXCLUDED.last_seen),
                    last_event_at = GREATEST(edges.last_event_at, EXCLUDED.last_event_at),
                    lag_seconds = EXCLUDED.lag_seconds
                RETURNING contiguous_seq""")) {
            Jdbc.bind(ps, e.edgeId(), e.lotId(), e.levelId(), e.seq(), e.seq() == 1 ? 1L : 0L, now, e.occurredAt(),
                    lag);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                contiguous = rs.getLong(1);
            }
        }
        if (e.seq() <= contiguous) {
            return;
        }
        if (e.seq() > contiguous + 1) {
            int parked = Jdbc.update(c,
                    "INSERT INTO edge_seq_pending (edge_id, seq) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    e.edgeId(), e.seq());
            Jdbc.update(c, "UPDATE edges SET pending_count = pending_count + ? WHERE edge_id = ?", parked,
                    e.edgeId());
            return;
        }
        // e.seq() closes the gap at the front: advance over every pending seq that now follows on.
        long next = e.seq();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq FROM edge_seq_pending WHERE edge_id = ? AND seq > ? ORDER BY seq")) {
            ps.setString(1, e.edgeId());
            ps.setLong(2, next);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && rs.getLong(1) == next + 1) {
                    next++;
                }
            }
        }
        int merged = Jdbc.update(c, "DELETE FROM edge_seq_pending WHERE edge_id = ? AND seq <= ?", e.edgeId(), next);
        Jdbc.update(c, "UPDATE edges SET contiguous_seq = ?, pending_count = pending_count - ? WHERE edge_id = ?",
                next, merged, e.edgeId());
    }
}
