package org.openparking.cloud.ingest;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.cloud.discount.DiscountService;
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
import org.openparking.protocol.PoolCounts;
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
    private final DiscountService discounts;

    /**
     * {@code outgoing} writes the commands an event makes necessary (a session closed on another level than the
     * one that opened it) in the event's transaction, and publishes them after the commit.
     */
    public EventApplier(DataSource dataSource, Clock clock, OutgoingMessages outgoing) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.outgoing = outgoing;
        this.discounts = new DiscountService(dataSource, outgoing);
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
     * per item in the given order. The writes are set-based: one statement per table for the whole
     * batch (the inbox, availability, lanes, sessions), and each edge's row is taken once per batch,
     * not once per event. Every table is written in the same order and its rows in key order, so
     * concurrent batches (of other channels or other instances) queue on a row instead of deadlocking.
     */
    public List<Outcome> applyAll(List<Item> items) throws SQLException {
        List<OutgoingMessages.Pending> commands = new ArrayList<>();
        List<Outcome> result = Jdbc.inTransaction(dataSource, c -> {
            commands.clear();
            return applyBatch(c, items, commands);
        });
        publishCommitted(commands);
        return result;
    }

    private List<Outcome> applyBatch(Connection c, List<Item> items, List<OutgoingMessages.Pending> commands)
            throws SQLException {
        Outcome[] outcomes = new Outcome[items.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing((Integer i) -> items.get(i).envelope().edgeId())
                .thenComparingLong(i -> items.get(i).envelope().seq()));
        // The inbox first, in id order: the ids it takes are the items to apply, the others are duplicates.
        Map<String, Integer> firstById = new TreeMap<>();
        List<Integer> statuses = new ArrayList<>();
        for (int i : order) {
            Envelope envelope = items.get(i).envelope();
            if (envelope.payload() instanceof EdgeStatus) {
                // A snapshot outside the event sequence: newest wins, no inbox row, no seq tracking.
                statuses.add(i);
                outcomes[i] = Outcome.APPLIED;
            } else if (firstById.putIfAbsent(envelope.id(), i) != null) {
                outcomes[i] = Outcome.DUPLICATE;
            }
        }
        Set<String> taken = new HashSet<>();
        if (!firstById.isEmpty()) {
            Columns inbox = new Columns(4);
            firstById.values().forEach(i -> {
                Envelope e = items.get(i).envelope();
                inbox.row(e.id(), e.type(), e.edgeId(), e.seq());
            });
            taken.addAll(Jdbc.query(c, """
                    INSERT INTO inbox (message_id, type, edge_id, seq)
                    SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[])
                    ON CONFLICT (message_id) DO NOTHING RETURNING message_id""", rs -> rs.getString(1),
                    inbox.params()));
        }
        List<Integer> applied = new ArrayList<>();
        for (int i : order) {
            if (outcomes[i] == null) {
                boolean isNew = taken.contains(items.get(i).envelope().id());
                outcomes[i] = isNew ? Outcome.APPLIED : Outcome.DUPLICATE;
                if (isNew) {
                    applied.add(i);
                }
            }
        }
        // Then the edges' rows, in edge order: their sequence tracking, then their status snapshots.
        TreeMap<String, List<Envelope>> byEdge = new TreeMap<>();
        for (int i : applied) {
            if (items.get(i).fromEdge()) {
                byEdge.computeIfAbsent(items.get(i).envelope().edgeId(), k -> new ArrayList<>())
                        .add(items.get(i).envelope());
            }
        }
        EdgeTracking.track(c, byEdge, statuses.stream().map(i -> items.get(i).envelope()).toList(), clock.instant());
        for (int i : statuses) {
            Envelope e = items.get(i).envelope();
            edgeStatus(c, e, (EdgeStatus) e.payload());
        }
        List<Envelope> effects = applied.stream().map(i -> items.get(i).envelope()).toList();
        availability(c, effects);
        lanes(c, effects);
        sessions(c, effects, commands);
        for (Envelope e : effects) {
            applyEffect(c, e);
            if (e.payload() instanceof SessionClosed m && !m.discounts().isEmpty()) {
                commands.addAll(discounts.recordClose(c, e, m));
            }
        }
        return List.of(outcomes);
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

    /** The effects of the rarer event types, one statement each; the frequent ones are written set-based. */
    private static void applyEffect(Connection c, Envelope e) throws SQLException {
        Message payload = e.payload();
        switch (payload) {
            case SessionClosed m -> deferredPayment(c, e, m);
            case DriftRecorded m -> drift(c, e, m);
            case CommandApplied m -> commandApplied(c, e, m);
            case PaymentRequested m -> paymentRequested(c, e, m);
            case PaymentResult m -> paymentResult(c, e, m);
            case RefundResult m -> refundResult(c, e, m);
            case PoolCounts m -> poolCounts(c, e, m);
            // Written above: availability, lanes, session opens (and the session half of closes).
            case SessionOpened m -> sessionRight(c, e, m);
            case AvailabilityChanged m -> { }
            case LaneChanged m -> { }
            case EdgeStatus m -> { }
            // Refund requests are the cloud's own messages; one seen here changes nothing.
            case RefundRequested m -> { }
            case Message.Command m -> throw new InvalidEventException("a command is not an event: " + m.type());
        }
    }

    /** A level's pool counts: per pool, the newest version of the level wins (GET /lots/{lotId}/pools adds them). */
    private static void poolCounts(Connection c, Envelope e, PoolCounts m) throws SQLException {
        for (Map.Entry<String, Integer> pool : new TreeMap<>(m.inside()).entrySet()) {
            Jdbc.update(c, """
                    INSERT INTO lane_pool_counts (lot_id, level_id, pool_id, inside, version, rules_version)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (lot_id, level_id, pool_id) DO UPDATE SET inside = EXCLUDED.inside,
                        version = EXCLUDED.version, rules_version = EXCLUDED.rules_version, updated_at = now()
                    WHERE lane_pool_counts.version < EXCLUDED.version""",
                    e.lotId(), e.levelId(), pool.getKey(), pool.getValue(), m.version(), m.rulesVersion());
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

    /** Both halves of a session as the batch left them (the other half as last committed, or null). */
    private record Halves(String sessionId, String lotId, String entryLevelId, String exitLevelId,
                          Instant exitTime) {
    }

    /**
     * The session halves of the batch, one statement for the opens and one for the closes (the last of each per
     * session, so no statement touches a row twice). The session's edge and level are the entry level's: a close
     * from another level's exit that arrived first created the row with its own, and the open replaces them, so
     * every order ends the same. Each upsert returns the row as it locked and updated it, which includes a half
     * another transaction committed meanwhile.
     */
    private void sessions(Connection c, List<Envelope> events, List<OutgoingMessages.Pending> commands)
            throws SQLException {
        Map<String, Envelope> opens = new TreeMap<>();
        Map<String, Envelope> closes = new TreeMap<>();
        for (Envelope e : events) {
            switch (e.payload()) {
                case SessionOpened m -> opens.put(m.sessionId(), e);
                case SessionClosed m -> closes.put(m.sessionId(), e);
                default -> { }
            }
        }
        if (opens.isEmpty() && closes.isEmpty()) {
            return;
        }
        Map<String, Halves> halves = new TreeMap<>();
        if (!opens.isEmpty()) {
            Columns rows = new Columns(10);
            for (Envelope e : opens.values()) {
                SessionOpened m = (SessionOpened) e.payload();
                rows.row(m.sessionId(), e.edgeId(), e.lotId(), e.levelId(), m.entryTime(), m.laneId(), m.plate(),
                        m.vehicleType(), m.tariffVersion(), e.levelId());
            }
            // A ledger entry recorded before the open arrived has no plate yet: the same statement fills it in.
            Jdbc.query(c, """
                    WITH s AS (
                        INSERT INTO sessions (session_id, edge_id, lot_id, level_id, status, entry_time, entry_lane,
                                              plate, vehicle_type, entry_tariff_version, entry_level_id)
                        SELECT s, e, lot, lvl, 'OPEN', t, lane, plate, vt, tv, entry
                        FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[],
                                    ?::text[], ?::text[], ?::int[], ?::text[])
                             AS v(s, e, lot, lvl, t, lane, plate, vt, tv, entry)
                        ON CONFLICT (session_id) DO UPDATE SET
                            edge_id = EXCLUDED.edge_id, level_id = EXCLUDED.level_id,
                            entry_time = EXCLUDED.entry_time, entry_lane = EXCLUDED.entry_lane,
                            plate = EXCLUDED.plate, vehicle_type = EXCLUDED.vehicle_type,
                            entry_tariff_version = EXCLUDED.entry_tariff_version,
                            entry_level_id = EXCLUDED.entry_level_id
                        RETURNING session_id, lot_id, entry_level_id, exit_level_id, exit_time, plate),
                    ledger AS (
                        UPDATE unable_to_collect u SET plate = s.plate FROM s
                        WHERE u.session_id = s.session_id AND u.plate IS NULL AND s.plate IS NOT NULL)
                    SELECT session_id, lot_id, entry_level_id, exit_level_id, exit_time FROM s""",
                    rs -> halves.put(rs.getString(1), halves(rs)), rows.params());
        }
        if (!closes.isEmpty()) {
            // A close that arrives first creates the row; the open fills in the entry columns later.
            Columns rows = new Columns(14);
            for (Envelope e : closes.values()) {
                SessionClosed m = (SessionClosed) e.payload();
                rows.row(m.sessionId(), e.edgeId(), e.lotId(), e.levelId(), m.entryTime(), m.exitTime(), m.laneId(),
                        m.feeAmount(), m.currency(), m.paymentStatus(), m.paymentId(), m.tariffVersion(),
                        m.lostTicket(), e.levelId());
            }
            // After the opens: where a session has both halves in this batch, this row is the final one.
            Jdbc.query(c, """
                    INSERT INTO sessions (session_id, edge_id, lot_id, level_id, status, entry_time, exit_time, exit_lane,
                                          fee_amount, currency, payment_status, payment_id, tariff_version, lost_ticket,
                                          exit_level_id)
                    SELECT s, e, lot, lvl, 'CLOSED', t0, t1, lane, fee, cur, ps, pid, tv, lost, exit
                    FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[],
                                ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::int[], ?::boolean[],
                                ?::text[]) AS v(s, e, lot, lvl, t0, t1, lane, fee, cur, ps, pid, tv, lost, exit)
                    ON CONFLICT (session_id) DO UPDATE SET
                        status = 'CLOSED', exit_time = EXCLUDED.exit_time, exit_lane = EXCLUDED.exit_lane,
                        fee_amount = EXCLUDED.fee_amount, currency = EXCLUDED.currency,
                        payment_status = EXCLUDED.payment_status, payment_id = EXCLUDED.payment_id,
                        tariff_version = EXCLUDED.tariff_version, lost_ticket = EXCLUDED.lost_ticket,
                        exit_level_id = EXCLUDED.exit_level_id
                    RETURNING session_id, lot_id, entry_level_id, exit_level_id, exit_time""",
                    rs -> halves.put(rs.getString(1), halves(rs)), rows.params());
        }
        for (Halves h : halves.values()) {
            closeAtEntryLevel(c, h, commands);
        }
    }

    /** A session that entered with a permit or reservation: which one (the APDS Session references it). */
    private static void sessionRight(Connection c, Envelope e, SessionOpened m) throws SQLException {
        if (m.right() == null) {
            return;
        }
        int colon = m.right().indexOf(':');
        Jdbc.update(c, """
                INSERT INTO session_rights (session_id, lot_id, right_kind, right_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (session_id) DO NOTHING""", m.sessionId(), e.lotId(), m.right().substring(0, colon),
                m.right().substring(colon + 1));
    }

    private static Halves halves(java.sql.ResultSet rs) throws SQLException {
        return new Halves(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Jdbc.instant(rs.getTimestamp(5)));
    }

    /** The payment half of a close: the session itself is written with the batch's other closes. */
    private static void deferredPayment(Connection c, Envelope e, SessionClosed m) throws SQLException {
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
    }

    /**
     * A session that entered on one level and left through another level's exit stays open at the entry level
     * unless told: once both halves are here, whichever arrived second writes {@code command.close-session} for
     * the entry level in this transaction. Its id is derived from the session, so a redelivery (or the other
     * half's event replayed under a new id) finds it written and adds nothing.
     */
    private void closeAtEntryLevel(Connection c, Halves halves, List<OutgoingMessages.Pending> commands)
            throws SQLException {
        if (halves.entryLevelId() == null || halves.exitLevelId() == null
                || halves.entryLevelId().equals(halves.exitLevelId())) {
            return;
        }
        String sessionId = halves.sessionId();
        outgoing.toEdgeOnce(c, closeSessionCommandId(sessionId), halves.lotId(), halves.entryLevelId(),
                        new CloseSessionElsewhere(sessionId, halves.exitTime(),
                                Envelope.edgeId(halves.lotId(), halves.exitLevelId()), halves.exitLevelId()), SYSTEM)
                .ifPresent(commands::add);
    }

    /** The batch's newest availability of each level (a higher version wins, as in the table), one statement. */
    private static void availability(Connection c, List<Envelope> events) throws SQLException {
        Map<String, Envelope> newest = new TreeMap<>();
        for (Envelope e : events) {
            if (e.payload() instanceof AvailabilityChanged m) {
                newest.merge(e.lotId() + "\u0000" + e.levelId(), e, (a, b) ->
                        ((AvailabilityChanged) b.payload()).version() > ((AvailabilityChanged) a.payload()).version()
                                ? b : a);
            }
        }
        if (newest.isEmpty()) {
            return;
        }
        Columns rows = new Columns(10);
        for (Envelope e : newest.values()) {
            AvailabilityChanged m = (AvailabilityChanged) e.payload();
            Map<String, AvailabilityChanged.TypeCount> byType = new TreeMap<>();
            m.byType().forEach((type, count) -> byType.put(type.name(), count));
            try {
                rows.row(e.lotId(), e.levelId(), e.edgeId(), m.capacity(), m.occupied(), m.free(),
                        Json.mapper().writeValueAsString(byType), m.status(), m.version(), m.updatedAt());
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        Jdbc.update(c, """
                INSERT INTO levels (lot_id, level_id, edge_id, capacity, occupied, free, by_type, status, version, updated_at)
                SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::int[], ?::jsonb[],
                                     ?::text[], ?::bigint[], ?::timestamptz[])
                ON CONFLICT (lot_id, level_id) DO UPDATE SET
                    edge_id = EXCLUDED.edge_id, capacity = EXCLUDED.capacity, occupied = EXCLUDED.occupied,
                    free = EXCLUDED.free, by_type = EXCLUDED.by_type, status = EXCLUDED.status,
                    version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
                WHERE levels.version < EXCLUDED.version""", rows.params());
    }

    /** The batch's newest state of each lane, one statement. */
    private static void lanes(Connection c, List<Envelope> events) throws SQLException {
        Map<String, Envelope> newest = new TreeMap<>();
        for (Envelope e : events) {
            if (e.payload() instanceof LaneChanged m) {
                newest.merge(e.lotId() + "\u0000" + e.levelId() + "\u0000" + m.laneId(), e, (a, b) ->
                        ((LaneChanged) b.payload()).version() > ((LaneChanged) a.payload()).version() ? b : a);
            }
        }
        if (newest.isEmpty()) {
            return;
        }
        Columns rows = new Columns(6);
        for (Envelope e : newest.values()) {
            LaneChanged m = (LaneChanged) e.payload();
            rows.row(e.lotId(), e.levelId(), m.laneId(), m.barrier(), m.version(), m.updatedAt());
        }
        Jdbc.update(c, """
                INSERT INTO lanes (lot_id, level_id, lane_id, barrier, version, updated_at)
                SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::timestamptz[])
                ON CONFLICT (lot_id, level_id, lane_id) DO UPDATE SET
                    barrier = EXCLUDED.barrier, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
                WHERE lanes.version < EXCLUDED.version""", rows.params());
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
}
