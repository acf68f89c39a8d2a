package org.openparking.cloud.lanes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;
import org.openparking.protocol.Plates;
import org.openparking.protocol.ReservationCodes;
import org.openparking.protocol.UpdateLaneRules;

/**
 * Permits, pools, reservations and pay-by-plate accounts of a lot (PostgreSQL, V140; reservation signing keys V141). Every change is one
 * transaction: the row, its audit entry, the lot's next rules version, and one {@code command.update-lane-rules}
 * with the lot's full snapshot for every level of the lot in the cloud's outbox ({@code commands}); the commands
 * are published after the commit, and the re-publisher sends any the broker did not confirm.
 */
public final class LaneRulesStore {
    private static final TypeReference<Map<String, Integer>> SHARES = new TypeReference<>() {
    };

    private final DataSource dataSource;
    private final OutgoingMessages outgoing;
    private final Clock clock;

    public LaneRulesStore(DataSource dataSource, OutgoingMessages outgoing, Clock clock) {
        this.dataSource = dataSource;
        this.outgoing = outgoing;
        this.clock = clock;
    }

    /** What a change produced: the lot's new rules version and the commands carrying it, one per level. */
    public record Pushed(long rulesVersion, List<String> commandIds, List<String> edgeIds) {
    }

    /** A stored object with the push it caused. */
    public record Saved<T>(T item, boolean created, Pushed pushed) {
    }

    public record PermitView(String permitId, String plate, String card, Instant validFrom, Instant validUntil,
                             UpdateLaneRules.Window window, List<String> levels, String poolId, boolean suspended,
                             String suspendedReason, Instant updatedAt, String updatedBy) {
    }

    /** A pool with what its levels last reported: {@code drift} is how many cars are inside over {@code max}. */
    public record PoolView(String poolId, int max, Map<String, Integer> levelShares, Map<String, Integer> inside,
                           int total, int drift) {
    }

    public record AccountView(String plate, Instant updatedAt) {
    }

    // ---------------------------------------------------------------- writes

    /**
     * Creates or replaces permit {@code permitId} with what {@code merge} makes of the stored one (null: none yet),
     * read in the change's transaction, so nothing written meanwhile (a suspension) is lost. A permit stored not
     * suspended loses its suspension reason.
     */
    public Saved<UpdateLaneRules.Permit> putPermit(String lotId, String permitId,
                                                   UnaryOperator<UpdateLaneRules.Permit> merge, Principal by)
            throws SQLException {
        return change(lotId, by, "permit.put", permitId, c -> {
            List<UpdateLaneRules.Permit> stored = permitsOf(c, lotId, permitId);
            UpdateLaneRules.Permit p = merge.apply(stored.isEmpty() ? null : stored.getFirst());
            Jdbc.update(c, """
                INSERT INTO lane_permits (lot_id, permit_id, plate, card, valid_from, valid_until, time_window, levels,
                                          pool_id, suspended, updated_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (lot_id, permit_id) DO UPDATE SET plate = EXCLUDED.plate, card = EXCLUDED.card,
                    valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
                    time_window = EXCLUDED.time_window, levels = EXCLUDED.levels, pool_id = EXCLUDED.pool_id,
                    suspended = EXCLUDED.suspended,
                    suspended_reason = CASE WHEN EXCLUDED.suspended THEN lane_permits.suspended_reason END,
                    updated_at = now(), updated_by = EXCLUDED.updated_by, version = lane_permits.version + 1""",
                    lotId, p.permitId(), Plates.normalize(p.plate()), p.card(), p.validFrom(), p.validUntil(),
                    p.window(), p.levels().toArray(String[]::new), p.poolId(), p.suspended(), by.username());
            return new Done<>(p, stored.isEmpty());
        });
    }

    /** Suspends (unpaid, blocked) or reinstates a permit; 404 PERMIT_NOT_FOUND for an unknown one. */
    public Saved<String> suspend(String lotId, String permitId, boolean suspended, String reason, Principal by)
            throws SQLException {
        return change(lotId, by, suspended ? "permit.suspend" : "permit.reinstate", permitId, c -> {
                    if (Jdbc.update(c, """
                            UPDATE lane_permits SET suspended = ?, suspended_reason = ?, updated_at = now(),
                                                    updated_by = ?, version = version + 1
                            WHERE lot_id = ? AND permit_id = ?""",
                            suspended, suspended ? reason : null, by.username(), lotId, permitId) == 0) {
                        throw CloudException.notFound("PERMIT_NOT_FOUND", "lot " + lotId + " has no permit " + permitId);
                    }
                    return new Done<>(permitId, false,
                            Map.of("suspended", suspended, "reason", reason == null ? "" : reason));
                });
    }

    /** Creates or replaces pool {@code poolId} with what {@code merge} makes of the stored one (null: none yet). */
    public Saved<UpdateLaneRules.Pool> putPool(String lotId, String poolId, UnaryOperator<UpdateLaneRules.Pool> merge,
                                               Principal by) throws SQLException {
        return change(lotId, by, "pool.put", poolId, c -> {
            // No id: nothing stored to keep; the pool record refuses the missing id.
            List<UpdateLaneRules.Pool> stored = poolId == null ? List.of() : poolsOf(c, lotId, poolId);
            UpdateLaneRules.Pool p = merge.apply(stored.isEmpty() ? null : stored.getFirst());
            Jdbc.update(c, """
                    INSERT INTO lane_pools (lot_id, pool_id, max_inside, level_shares, updated_by) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (lot_id, pool_id) DO UPDATE SET max_inside = EXCLUDED.max_inside,
                        level_shares = EXCLUDED.level_shares, updated_at = now(), updated_by = EXCLUDED.updated_by""",
                    lotId, p.poolId(), p.max(), new Jdbc.Json(json(p.levelShares())), by.username());
            return new Done<>(p, stored.isEmpty());
        });
    }

    /**
     * Stores a reservation with its code: a fresh {@link ReservationCodes} code signed with the lot's current key
     * (made on the lot's first reservation), so a gate admits it offline even before the snapshot listing it
     * arrives. Any change re-signs it (a changed window or level must not leave the old code valid: the edge
     * refuses a code that differs from the one its snapshot lists). What is stored is what {@code merge} makes of
     * the stored reservation (null: none yet).
     */
    public Saved<UpdateLaneRules.Reservation> putReservation(String lotId, String reservationId,
                                                             UnaryOperator<UpdateLaneRules.Reservation> merge,
                                                             Principal by) throws SQLException {
        return change(lotId, by, "reservation.put", reservationId, c -> {
            List<UpdateLaneRules.Reservation> stored = Jdbc.query(c, RESERVATIONS + """
                    WHERE lot_id = ? AND reservation_id = ?""", LaneRulesStore::reservation, lotId, reservationId);
            UpdateLaneRules.Reservation r = merge.apply(stored.isEmpty() ? null : stored.getFirst());
            // The audit keeps what was booked, not the code (a bearer credential the driver carries).
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("reservationId", r.reservationId());
            detail.put("plate", Plates.normalize(r.plate()));
            detail.put("from", r.from().toString());
            detail.put("until", r.until().toString());
            detail.put("levelId", r.levelId());
            detail.put("prepaid", r.prepaid());
            SigningKey key = currentKey(c, lotId);
            String code;
            try {
                code = ReservationCodes.sign(new ReservationCodes.Claims(key.keyId(), lotId, r.reservationId(),
                        r.from(), r.until(), r.levelId(), r.prepaid()), key.privateKey());
            } catch (IllegalArgumentException e) {
                throw CloudException.invalid(e.getMessage());
            }
            UpdateLaneRules.Reservation signed = new UpdateLaneRules.Reservation(r.reservationId(), r.plate(), code,
                    r.from(), r.until(), r.levelId(), r.prepaid());
            Jdbc.update(c, """
                    INSERT INTO lane_reservations (lot_id, reservation_id, plate, code, valid_from, valid_until,
                                                   level_id, prepaid, updated_by, key_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (lot_id, reservation_id) DO UPDATE SET plate = EXCLUDED.plate, code = EXCLUDED.code,
                        valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
                        level_id = EXCLUDED.level_id, prepaid = EXCLUDED.prepaid, updated_at = now(),
                        updated_by = EXCLUDED.updated_by, key_id = EXCLUDED.key_id,
                        version = lane_reservations.version + 1""",
                    lotId, r.reservationId(), Plates.normalize(r.plate()), code, r.from(), r.until(), r.levelId(),
                    r.prepaid(), by.username(), key.keyId());
            return new Done<>(signed, stored.isEmpty(), detail);
        });
    }

    /** What a rotation did: the new current key, and the one it retired (null: the lot had none). */
    public record Rotation(String keyId, String publicKey, String retiredKeyId) {
    }

    /**
     * Retires the lot's current reservation key and makes a new one. Codes already issued keep working: a retired
     * key is pushed while a reservation it signed is not over; new and changed reservations are signed with the
     * new key.
     */
    public Saved<Rotation> rotateReservationKey(String lotId, Principal by) throws SQLException {
        return change(lotId, by, "reservation-key.rotate", lotId, c -> {
            List<String> retired = Jdbc.query(c, """
                    UPDATE lane_reservation_keys SET retired_at = now() WHERE lot_id = ? AND retired_at IS NULL
                    RETURNING key_id""", rs -> rs.getString(1), lotId);
            SigningKey key = newKey(c, lotId);
            return new Done<>(new Rotation(key.keyId(), key.publicKey(), retired.isEmpty() ? null : retired.getFirst()),
                    true, lotId);
        });
    }

    private record SigningKey(String keyId, String publicKey, PrivateKey privateKey) {
    }

    private static SigningKey currentKey(Connection c, String lotId) throws SQLException {
        List<SigningKey> current = Jdbc.query(c, """
                SELECT key_id, public_key, private_key FROM lane_reservation_keys
                WHERE lot_id = ? AND retired_at IS NULL""", rs -> new SigningKey(rs.getString(1), rs.getString(2),
                ReservationCodes.decodePrivate(rs.getBytes(3))), lotId);
        return current.isEmpty() ? newKey(c, lotId) : current.getFirst();
    }

    private static SigningKey newKey(Connection c, String lotId) throws SQLException {
        KeyPair pair = ReservationCodes.newKeyPair();
        String keyId = "rk-" + UUID.randomUUID().toString().substring(0, 8);
        String publicKey = ReservationCodes.encodePublic(pair.getPublic());
        Jdbc.update(c, """
                INSERT INTO lane_reservation_keys (lot_id, key_id, public_key, private_key) VALUES (?, ?, ?, ?)""",
                lotId, keyId, publicKey, pair.getPrivate().getEncoded());
        return new SigningKey(keyId, publicKey, pair.getPrivate());
    }

    /** Registers a plate for pay-by-plate; the token is stored, never echoed back. */
    public Saved<String> putAccount(String lotId, UpdateLaneRules.Account a, Principal by) throws SQLException {
        String plate = Plates.normalize(a.plate());
        return change(lotId, by, "account.put", plate, c -> {
            boolean created = !exists(c, "lane_accounts", "plate_key", lotId, Plates.key(plate));
            Jdbc.update(c, """
                    INSERT INTO lane_accounts (lot_id, plate_key, plate, payment_method, updated_by) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (lot_id, plate_key) DO UPDATE SET plate = EXCLUDED.plate,
                        payment_method = EXCLUDED.payment_method, updated_at = now(), updated_by = EXCLUDED.updated_by""",
                    lotId, Plates.key(plate), plate, a.paymentMethod(), by.username());
            return new Done<>(plate, created, Map.of("plate", plate));
        });
    }

    // ---------------------------------------------------------------- reads

    public List<PermitView> permits(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT permit_id, plate, card, valid_from, valid_until, time_window, levels, pool_id, suspended,
                       suspended_reason, updated_at, updated_by FROM lane_permits WHERE lot_id = ? ORDER BY permit_id""",
                rs -> new PermitView(rs.getString(1), rs.getString(2), rs.getString(3), Jdbc.instant(rs.getTimestamp(4)),
                        Jdbc.instant(rs.getTimestamp(5)), UpdateLaneRules.Window.valueOf(rs.getString(6)),
                        List.of((String[]) rs.getArray(7).getArray()), rs.getString(8), rs.getBoolean(9),
                        rs.getString(10), Jdbc.instant(rs.getTimestamp(11)), rs.getString(12)), lotId));
    }

    public List<PoolView> pools(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> {
            Map<String, Map<String, Integer>> inside = new TreeMap<>();
            Jdbc.query(c, "SELECT pool_id, level_id, inside FROM lane_pool_counts WHERE lot_id = ? ORDER BY level_id",
                    rs -> inside.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                            .put(rs.getString(2), rs.getInt(3)), lotId);
            return Jdbc.query(c, "SELECT pool_id, max_inside, level_shares::text FROM lane_pools WHERE lot_id = ?"
                    + " ORDER BY pool_id", rs -> {
                Map<String, Integer> levels = inside.getOrDefault(rs.getString(1), Map.of());
                int total = levels.values().stream().mapToInt(Integer::intValue).sum();
                int max = rs.getInt(2);
                return new PoolView(rs.getString(1), max, shares(rs.getString(3)), levels, total,
                        Math.max(0, total - max));
            }, lotId);
        });
    }

    public List<UpdateLaneRules.Reservation> reservations(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> reservationsOf(c, lotId, null));
    }

    public List<AccountView> accounts(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT plate, updated_at FROM lane_accounts WHERE lot_id = ? ORDER BY plate",
                rs -> new AccountView(rs.getString(1), Jdbc.instant(rs.getTimestamp(2))), lotId));
    }

    // ---------------------------------------------------------------- the push

    /** What a write stored: the item answered, whether it is new, and the audit entry's detail. */
    private record Done<T>(T item, boolean created, Object audit) {
        Done(T item, boolean created) {
            this(item, created, item);
        }
    }

    @FunctionalInterface
    private interface Write<T> {
        Done<T> run(Connection c) throws SQLException;
    }

    private <T> Saved<T> change(String lotId, Principal by, String action, String target, Write<T> write)
            throws SQLException {
        List<OutgoingMessages.Pending> pending = new ArrayList<>();
        record Tx<T>(Done<T> done, long version) {
        }
        Tx<T> tx = Jdbc.inTransaction(dataSource, c -> {
            pending.clear();
            AuditLog.actAs(c, by);
            // One change of a lot's rules at a time, so versions and snapshots follow each other.
            Jdbc.query(c, "SELECT pg_advisory_xact_lock(hashtext(?))", rs -> null, "lane-rules:" + lotId);
            Done<T> done = write.run(c);
            AuditLog.append(c, by, action, target, lotId, null, done.audit());
            Instant now = clock.instant();
            long version = Jdbc.query(c, """
                    INSERT INTO lane_rule_versions (lot_id, version, issued_at) VALUES (?, 1, ?)
                    ON CONFLICT (lot_id) DO UPDATE SET version = lane_rule_versions.version + 1,
                                                       issued_at = EXCLUDED.issued_at
                    RETURNING version""", rs -> rs.getLong(1), lotId, now).getFirst();
            UpdateLaneRules snapshot = snapshot(c, lotId, version, now);
            for (String levelId : Jdbc.query(c, "SELECT level_id FROM edges WHERE lot_id = ? ORDER BY level_id",
                    rs -> rs.getString(1), lotId)) {
                pending.add(outgoing.toEdge(c, lotId, levelId, snapshot, by.username()));
            }
            return new Tx<>(done, version);
        });
        try {
            outgoing.publish(pending);
        } catch (IOException e) {
            throw CloudException.unavailable("BROKER_UNAVAILABLE", "stored as lane rules version " + tx.version()
                    + ", but RabbitMQ did not confirm the push (it stays unsent and is re-published): "
                    + e.getMessage());
        }
        return new Saved<>(tx.done().item(), tx.done().created(), new Pushed(tx.version(),
                pending.stream().map(OutgoingMessages.Pending::commandId).toList(),
                pending.stream().map(OutgoingMessages.Pending::edgeId).toList()));
    }

    /** The newest snapshot of a lot for an edge that registers later (null when the lot has no rules yet). */
    public static UpdateLaneRules latest(Connection c, String lotId) throws SQLException {
        List<Object[]> v = Jdbc.query(c, "SELECT version, issued_at FROM lane_rule_versions WHERE lot_id = ?",
                rs -> new Object[] {rs.getLong(1), Jdbc.instant(rs.getTimestamp(2))}, lotId);
        return v.isEmpty() ? null : snapshot(c, lotId, (Long) v.getFirst()[0], (Instant) v.getFirst()[1]);
    }

    private static UpdateLaneRules snapshot(Connection c, String lotId, long version, Instant issuedAt)
            throws SQLException {
        List<UpdateLaneRules.Permit> permits = permitsOf(c, lotId, null);
        List<UpdateLaneRules.Pool> pools = poolsOf(c, lotId, null);
        // Reservations over for a day are of no use to a gate; the snapshot leaves them out.
        List<UpdateLaneRules.Reservation> reservations = reservationsOf(c, lotId, issuedAt.minusSeconds(86_400));
        List<UpdateLaneRules.Account> accounts = Jdbc.query(c,
                "SELECT plate, payment_method FROM lane_accounts WHERE lot_id = ? ORDER BY plate_key",
                rs -> new UpdateLaneRules.Account(rs.getString(1), rs.getString(2)), lotId);
        // The current key, and every retired one still signing a reservation that is not over.
        List<UpdateLaneRules.ReservationKey> keys = Jdbc.query(c, """
                SELECT k.key_id, k.public_key FROM lane_reservation_keys k WHERE k.lot_id = ?
                  AND (k.retired_at IS NULL OR EXISTS (SELECT 1 FROM lane_reservations r WHERE r.lot_id = k.lot_id
                                                       AND r.key_id = k.key_id AND r.valid_until > ?))
                ORDER BY k.created_at, k.key_id""",
                rs -> new UpdateLaneRules.ReservationKey(rs.getString(1), rs.getString(2)), lotId, issuedAt);
        return new UpdateLaneRules(version, issuedAt, permits, pools, reservations, accounts, keys);
    }

    /** The lot's permits, or only {@code permitId} when not null. */
    private static List<UpdateLaneRules.Permit> permitsOf(Connection c, String lotId, String permitId)
            throws SQLException {
        return Jdbc.query(c, """
                SELECT permit_id, plate, card, valid_from, valid_until, time_window, levels, pool_id, suspended
                FROM lane_permits WHERE lot_id = ? AND (?::text IS NULL OR permit_id = ?::text) ORDER BY permit_id""",
                rs -> new UpdateLaneRules.Permit(rs.getString(1), rs.getString(2), rs.getString(3),
                        Jdbc.instant(rs.getTimestamp(4)), Jdbc.instant(rs.getTimestamp(5)),
                        UpdateLaneRules.Window.valueOf(rs.getString(6)), List.of((String[]) rs.getArray(7).getArray()),
                        rs.getString(8), rs.getBoolean(9)), lotId, permitId, permitId);
    }

    /** The lot's pools, or only {@code poolId} when not null. */
    private static List<UpdateLaneRules.Pool> poolsOf(Connection c, String lotId, String poolId) throws SQLException {
        return Jdbc.query(c, """
                SELECT pool_id, max_inside, level_shares::text FROM lane_pools
                WHERE lot_id = ? AND (?::text IS NULL OR pool_id = ?::text) ORDER BY pool_id""",
                rs -> new UpdateLaneRules.Pool(rs.getString(1), rs.getInt(2), shares(rs.getString(3))),
                lotId, poolId, poolId);
    }

    private static final String RESERVATIONS = """
            SELECT reservation_id, plate, code, valid_from, valid_until, level_id, prepaid FROM lane_reservations
            """;

    private static UpdateLaneRules.Reservation reservation(java.sql.ResultSet rs) throws SQLException {
        return new UpdateLaneRules.Reservation(rs.getString(1), rs.getString(2), rs.getString(3),
                Jdbc.instant(rs.getTimestamp(4)), Jdbc.instant(rs.getTimestamp(5)), rs.getString(6), rs.getBoolean(7));
    }

    private static List<UpdateLaneRules.Reservation> reservationsOf(Connection c, String lotId, Instant endedAfter)
            throws SQLException {
        return Jdbc.query(c, RESERVATIONS + """
                WHERE lot_id = ? AND (?::timestamptz IS NULL OR valid_until > ?::timestamptz)
                ORDER BY valid_from, reservation_id""", LaneRulesStore::reservation, lotId, endedAfter, endedAfter);
    }

    private static boolean exists(Connection c, String table, String idColumn, String lotId, String id)
            throws SQLException {
        return !Jdbc.query(c, "SELECT 1 FROM " + table + " WHERE lot_id = ? AND " + idColumn + " = ?",
                rs -> 1, lotId, id).isEmpty();
    }

    private static Map<String, Integer> shares(String json) {
        try {
            return Json.mapper().readValue(json, SHARES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored level shares unreadable", e);
        }
    }

    private static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
