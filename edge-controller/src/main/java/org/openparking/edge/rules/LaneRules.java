package org.openparking.edge.rules;

import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Logger;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.outbox.Outbox;
import org.openparking.protocol.CardNumbers;
import org.openparking.protocol.Plates;
import org.openparking.protocol.PoolCounts;
import org.openparking.protocol.ReservationCodes;
import org.openparking.protocol.UpdateLaneRules;

/**
 * The lot's lane rules as this level holds them (SQLite, V30): the newest snapshot the cloud pushed, and the
 * decisions taken from it with no network. Every method runs inside the caller's connection and transaction, so
 * a decision and the session it admits or closes commit together. docs/lanes.md states the rules.
 */
public final class LaneRules {
    private static final Logger LOG = Logger.getLogger(LaneRules.class.getName());

    /** What a vehicle entered with. {@code poolId} null: counts against no pool. */
    public record Right(Kind kind, String refId, String poolId, boolean freeExit, boolean softWindow) {
        public enum Kind { WALK_IN, PERMIT, RESERVATION }

        public static final Right WALK_IN = new Right(Kind.WALK_IN, null, null, false, false);
    }

    /** The snapshot in force; {@code version} 0 and {@code issuedAt} null before the first push. */
    public record State(long version, Instant issuedAt, Instant appliedAt, int permits, int pools, int reservations,
                        int accounts, Map<String, PoolInside> poolsInside, boolean stale) {
    }

    /** A pool on this level: cars of it inside here now, and what this level may admit on its own count. */
    public record PoolInside(int inside, int share, int max) {
    }

    private final String lotId;
    private final String levelId;
    private final Outbox outbox;
    private final Duration maxAge;

    /** @param maxAge a snapshot older than this (by the cloud's issue time) is stale: STALE_RULES */
    public LaneRules(String lotId, String levelId, Outbox outbox, Duration maxAge) {
        this.lotId = lotId;
        this.levelId = levelId;
        this.outbox = outbox;
        this.maxAge = maxAge;
    }

    // ---------------------------------------------------------------- the snapshot

    /** Replaces every rule with {@code rules} if its version is newer than the one held; returns whether it did. */
    public boolean apply(Connection c, UpdateLaneRules rules, Instant now) throws SQLException {
        long held = version(c);
        if (rules.version() <= held) {
            LOG.info(() -> "lane rules version " + rules.version() + " ignored: version " + held + " is in force");
            return false;
        }
        for (String table : List.of("permits", "pools", "reservations", "accounts", "reservation_keys")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table)) {
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO permits (permit_id, plate, plate_key, card, valid_from, valid_until, window, levels, pool_id,
                                     suspended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (UpdateLaneRules.Permit p : rules.permits()) {
                ps.setString(1, p.permitId());
                ps.setString(2, Plates.normalize(p.plate()));
                ps.setString(3, Plates.key(p.plate()));
                ps.setString(4, card(p.card()));
                ps.setString(5, text(p.validFrom()));
                ps.setString(6, text(p.validUntil()));
                ps.setString(7, p.window().name());
                ps.setString(8, String.join(",", p.levels()));
                ps.setString(9, p.poolId());
                ps.setInt(10, p.suspended() ? 1 : 0);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO pools (pool_id, max, share) VALUES (?, ?, ?)")) {
            for (UpdateLaneRules.Pool p : rules.pools()) {
                ps.setString(1, p.poolId());
                ps.setInt(2, p.max());
                ps.setInt(3, p.shareOf(levelId));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO reservations (reservation_id, plate_key, code, valid_from, valid_until, level_id, prepaid)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            for (UpdateLaneRules.Reservation r : rules.reservations()) {
                ps.setString(1, r.reservationId());
                ps.setString(2, Plates.key(r.plate()));
                ps.setString(3, r.code());
                ps.setLong(4, r.from().toEpochMilli());
                ps.setLong(5, r.until().toEpochMilli());
                ps.setString(6, r.levelId());
                ps.setInt(7, r.prepaid() ? 1 : 0);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT OR REPLACE INTO reservation_keys (key_id, public_key) VALUES (?, ?)")) {
            for (UpdateLaneRules.ReservationKey k : rules.reservationKeys()) {
                ps.setString(1, k.keyId());
                ps.setString(2, k.publicKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT OR REPLACE INTO accounts (plate_key, payment_method) VALUES (?, ?)")) {
            for (UpdateLaneRules.Account a : rules.accounts()) {
                ps.setString(1, Plates.key(a.plate()));
                ps.setString(2, a.paymentMethod());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO lane_rules_state (id, version, issued_at, applied_at) VALUES (1, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, issued_at = excluded.issued_at,
                                               applied_at = excluded.applied_at""")) {
            ps.setLong(1, rules.version());
            ps.setString(2, rules.issuedAt().toString());
            ps.setString(3, now.toString());
            ps.executeUpdate();
        }
        return true;
    }

    public State state(Connection c, Instant now) throws SQLException {
        long version = 0;
        Instant issued = null;
        Instant applied = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version, issued_at, applied_at FROM lane_rules_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                version = rs.getLong(1);
                issued = Instant.parse(rs.getString(2));
                applied = Instant.parse(rs.getString(3));
            }
        }
        Map<String, PoolInside> inside = new TreeMap<>();
        Map<String, Integer> counts = poolCounts(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT pool_id, max, share FROM pools ORDER BY pool_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                inside.put(rs.getString(1), new PoolInside(counts.getOrDefault(rs.getString(1), 0), rs.getInt(3),
                        rs.getInt(2)));
            }
        }
        return new State(version, issued, applied, count(c, "permits"), count(c, "pools"), count(c, "reservations"),
                count(c, "accounts"), inside, stale(issued, now));
    }

    /** No snapshot yet, or the newest is older than {@code lane-rules.max-age}. */
    public boolean stale(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT issued_at FROM lane_rules_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return stale(rs.next() ? Instant.parse(rs.getString(1)) : null, now);
        }
    }

    private boolean stale(Instant issued, Instant now) {
        return issued == null || Duration.between(issued, now).compareTo(maxAge) > 0;
    }

    // ---------------------------------------------------------------- entry

    /**
     * What the vehicle may enter with, or the named refusal. A reservation code or a card must match a rule; a
     * plate that matches no permit and no reservation is a walk-in.
     */
    public Right entryRight(Connection c, String plate, String card, String reservationCode, Instant now)
            throws SQLException {
        if (ReservationCodes.looksSigned(reservationCode)) {
            return signedReservation(c, reservationCode.trim(), now);
        }
        if (reservationCode != null && !reservationCode.isBlank()) {
            return reservation(c, "code = ?", reservationCode.trim(), now)
                    .orElseThrow(() -> new ParkingException(Kind.FORBIDDEN, "RESERVATION_INVALID",
                            "no reservation with this code is valid on level " + levelId + " now"));
        }
        if (card != null && !card.isBlank()) {
            if (CardNumbers.looksLikePan(card)) {
                throw new ParkingException(Kind.BAD_REQUEST, "CARD_NUMBER_REFUSED",
                        "card must be an access-card id, never a payment card number");
            }
            Optional<Permit> permit = permit(c, "card = ?", card(card));
            return permitRight(c, permit.orElseThrow(() -> new ParkingException(Kind.FORBIDDEN, "UNKNOWN_CARD",
                    "no permit holds this card")), now);
        }
        String key = Plates.key(plate);
        if (key == null) {
            return Right.WALK_IN;
        }
        Optional<Permit> permit = permit(c, "plate_key = ?", key);
        if (permit.isPresent()) {
            return permitRight(c, permit.get(), now);
        }
        return reservation(c, "plate_key = ?", key, now).orElse(Right.WALK_IN);
    }

    /** The plate a right names (a permit entering by card has its plate on the permit), or null. */
    public String plateOf(Connection c, Right right) throws SQLException {
        if (right.kind() != Right.Kind.PERMIT) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT plate FROM permits WHERE permit_id = ?")) {
            ps.setString(1, right.refId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Spaces held back from walk-ins now: reservations in their window, for this level, whose car has not come. */
    public int heldBack(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT COUNT(*) FROM reservations r
                WHERE r.valid_from <= ? AND r.valid_until > ? AND (r.level_id IS NULL OR r.level_id = ?)
                  AND NOT EXISTS (SELECT 1 FROM session_rights s WHERE s.kind = 'RESERVATION'
                                  AND s.ref_id = r.reservation_id)""")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setLong(2, now.toEpochMilli());
            ps.setString(3, levelId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Records what session {@code sessionId} entered with; a pool car's entry reports the level's pool counts. */
    public void entered(Connection c, String sessionId, Right right, Instant now) throws SQLException {
        if (right.kind() == Right.Kind.WALK_IN) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO session_rights (session_id, kind, ref_id, pool_id, free_exit, soft_window)
                VALUES (?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, sessionId);
            ps.setString(2, right.kind().name());
            ps.setString(3, right.refId());
            ps.setString(4, right.poolId());
            ps.setInt(5, right.freeExit() ? 1 : 0);
            ps.setInt(6, right.softWindow() ? 1 : 0);
            ps.executeUpdate();
        }
        if (right.kind() == Right.Kind.PERMIT) {
            presence(c, right.refId(), true, sessionId, now);
        }
        if (right.poolId() != null) {
            reportPools(c);
        }
    }

    /** A session of this level closed (an exit here, another level's exit, or set to neutral). */
    public void closed(Connection c, String sessionId, Instant now) throws SQLException {
        Optional<Right> right = rightOf(c, sessionId);
        if (right.isEmpty()) {
            return;
        }
        if (right.get().kind() == Right.Kind.PERMIT) {
            presence(c, right.get().refId(), false, null, now);
        }
        if (right.get().poolId() != null) {
            reportPools(c);
        }
    }

    /** Whether the session entered with a right that leaves without a fee (a permit, a prepaid reservation). */
    public boolean freeExit(Connection c, String sessionId) throws SQLException {
        return rightOf(c, sessionId).map(Right::freeExit).orElse(false);
    }

    /** The open session of the plate (by its key) that entered here, if any. */
    public Optional<String> openSessionOf(Connection c, String plate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT session_id FROM sessions WHERE plate_key = ? AND status = 'OPEN'
                ORDER BY entry_time DESC LIMIT 1""")) {
            ps.setString(1, Plates.key(plate));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** The pay-by-plate account's payment-method token of the plate, if it has one. */
    public Optional<String> accountOf(Connection c, String plate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT payment_method FROM accounts WHERE plate_key = ?")) {
            ps.setString(1, Plates.key(plate));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Anti-passback reset: the permit is out from now on (a gate was left up and the car left unseen). Returns
     * the open session of this level that the permit's last entry opened, which the caller closes, or empty.
     */
    public Optional<String> setNeutral(Connection c, String permitId, Instant now) throws SQLException {
        String session = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id FROM permit_presence WHERE permit_id = ?")) {
            ps.setString(1, permitId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    session = rs.getString(1);
                } else if (permit(c, "permit_id = ?", permitId).isEmpty()) {
                    throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_PERMIT", "no permit " + permitId
                            + " in the lane rules of this level");
                }
            }
        }
        presence(c, permitId, false, null, now);
        return Optional.ofNullable(session);
    }

    // ---------------------------------------------------------------- internals

    private record Permit(String permitId, Instant validFrom, Instant validUntil, UpdateLaneRules.Window window,
                          List<String> levels, String poolId, boolean suspended) {
    }

    private Right permitRight(Connection c, Permit p, Instant now) throws SQLException {
        if (p.suspended()) {
            throw new ParkingException(Kind.FORBIDDEN, "PERMIT_SUSPENDED", "permit " + p.permitId()
                    + " is suspended (unpaid or blocked): take a ticket or see the operator");
        }
        boolean outside = (p.validFrom() != null && now.isBefore(p.validFrom()))
                || (p.validUntil() != null && !now.isBefore(p.validUntil()));
        if (outside && p.window() == UpdateLaneRules.Window.HARD) {
            throw new ParkingException(Kind.FORBIDDEN, "PERMIT_OUTSIDE_WINDOW", "permit " + p.permitId()
                    + " is not valid now (" + p.validFrom() + " to " + p.validUntil() + ")");
        }
        if (!p.levels().isEmpty() && !p.levels().contains(levelId)) {
            throw new ParkingException(Kind.FORBIDDEN, "PERMIT_WRONG_LEVEL", "permit " + p.permitId()
                    + " is valid on " + p.levels() + ", not on level " + levelId);
        }
        if (inside(c, p.permitId())) {
            throw new ParkingException(Kind.CONFLICT, "ANTI_PASSBACK", "permit " + p.permitId()
                    + " is already inside: an operator may set it to neutral if its car left unseen");
        }
        if (p.poolId() != null) {
            Optional<int[]> pool = pool(c, p.poolId());
            if (pool.isPresent()) {
                int inside = poolCounts(c).getOrDefault(p.poolId(), 0);
                if (inside >= pool.get()[1]) {
                    throw new ParkingException(Kind.CONFLICT, "POOL_FULL", "pool " + p.poolId() + " has " + inside
                            + " cars inside on level " + levelId + ", its share here is " + pool.get()[1]);
                }
            } else {
                LOG.warning(() -> "permit " + p.permitId() + " names pool " + p.poolId()
                        + ", which the lane rules do not hold: admitted without a pool limit");
            }
        }
        return new Right(Right.Kind.PERMIT, p.permitId(), p.poolId(), true, outside);
    }

    /**
     * A code the cloud signed: admitted on its own signature, lot, level and window, so a level whose snapshot does
     * not list the reservation yet still admits it. The snapshot still has its say where it knows more: a
     * reservation it lists with another code (changed or re-issued since) refuses this one, and a code is used once
     * per level.
     */
    private Right signedReservation(Connection c, String code, Instant now) throws SQLException {
        ReservationCodes.Claims claims;
        try {
            claims = ReservationCodes.verify(code, reservationKeys(c));
        } catch (ReservationCodes.InvalidCode e) {
            throw reservationInvalid(e.getMessage());
        }
        if (!claims.lotId().equals(lotId)) {
            throw reservationInvalid("reservation " + claims.reservationId() + " belongs to lot " + claims.lotId());
        }
        if (claims.levelId() != null && !claims.levelId().equals(levelId)) {
            throw reservationInvalid("reservation " + claims.reservationId() + " is for level " + claims.levelId()
                    + ", not level " + levelId);
        }
        if (now.isBefore(claims.from())) {
            throw new ParkingException(Kind.FORBIDDEN, "RESERVATION_NOT_YET_VALID", "reservation "
                    + claims.reservationId() + " starts at " + claims.from());
        }
        if (!now.isBefore(claims.until())) {
            throw new ParkingException(Kind.FORBIDDEN, "RESERVATION_EXPIRED", "reservation "
                    + claims.reservationId() + " ended at " + claims.until());
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT code FROM reservations WHERE reservation_id = ?")) {
            ps.setString(1, claims.reservationId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && !code.equals(rs.getString(1))) {
                    throw reservationInvalid("reservation " + claims.reservationId()
                            + " has been changed since this code was issued");
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM session_rights WHERE kind = 'RESERVATION' AND ref_id = ?")) {
            ps.setString(1, claims.reservationId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw reservationInvalid("reservation " + claims.reservationId() + " has already been used");
                }
            }
        }
        return new Right(Right.Kind.RESERVATION, claims.reservationId(), null, claims.prepaid(), false);
    }

    private static Map<String, PublicKey> reservationKeys(Connection c) throws SQLException {
        Map<String, PublicKey> keys = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT key_id, public_key FROM reservation_keys");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.put(rs.getString(1), ReservationCodes.decodePublic(rs.getString(2)));
            }
        }
        return keys;
    }

    private static ParkingException reservationInvalid(String message) {
        return new ParkingException(Kind.FORBIDDEN, "RESERVATION_INVALID", message);
    }

    private Optional<Right> reservation(Connection c, String where, String value, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT reservation_id, prepaid FROM reservations r WHERE "
                + where + " AND valid_from <= ? AND valid_until > ? AND (level_id IS NULL OR level_id = ?)"
                + " AND NOT EXISTS (SELECT 1 FROM session_rights s WHERE s.kind = 'RESERVATION'"
                + " AND s.ref_id = r.reservation_id) ORDER BY valid_from LIMIT 1")) {
            ps.setString(1, value);
            ps.setLong(2, now.toEpochMilli());
            ps.setLong(3, now.toEpochMilli());
            ps.setString(4, levelId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Right(Right.Kind.RESERVATION, rs.getString(1), null,
                        rs.getInt(2) == 1, false)) : Optional.empty();
            }
        }
    }

    private Optional<Permit> permit(Connection c, String where, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT permit_id, valid_from, valid_until, window, levels, pool_id, suspended FROM permits WHERE """
                + " " + where + " ORDER BY suspended, permit_id LIMIT 1")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String levels = rs.getString(5);
                return Optional.of(new Permit(rs.getString(1), instant(rs.getString(2)), instant(rs.getString(3)),
                        UpdateLaneRules.Window.valueOf(rs.getString(4)),
                        levels.isEmpty() ? List.of() : Arrays.asList(levels.split(",")), rs.getString(6),
                        rs.getInt(7) == 1));
            }
        }
    }

    /** {max, share} of a pool. */
    private static Optional<int[]> pool(Connection c, String poolId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT max, share FROM pools WHERE pool_id = ?")) {
            ps.setString(1, poolId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new int[] {rs.getInt(1), rs.getInt(2)}) : Optional.empty();
            }
        }
    }

    private static Map<String, Integer> poolCounts(Connection c) throws SQLException {
        Map<String, Integer> counts = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT r.pool_id, COUNT(*) FROM session_rights r JOIN sessions s ON s.session_id = r.session_id
                WHERE s.status = 'OPEN' AND r.pool_id IS NOT NULL GROUP BY r.pool_id""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return counts;
    }

    /** Appends {@code pool.counts}: every pool of the rules (0 when none inside) and any still counted here. */
    private void reportPools(Connection c) throws SQLException {
        Map<String, Integer> inside = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT pool_id FROM pools");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                inside.put(rs.getString(1), 0);
            }
        }
        inside.putAll(poolCounts(c));
        long version;
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE lane_rules_state SET pool_counts_version = pool_counts_version + 1 WHERE id = 1
                RETURNING pool_counts_version, version""");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return;
            }
            version = rs.getLong(1);
            outbox.append(c, new PoolCounts(version, rs.getLong(2), inside));
        }
    }

    private Optional<Right> rightOf(Connection c, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT kind, ref_id, pool_id, free_exit, soft_window FROM session_rights WHERE session_id = ?")) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Right(Right.Kind.valueOf(rs.getString(1)), rs.getString(2),
                        rs.getString(3), rs.getInt(4) == 1, rs.getInt(5) == 1)) : Optional.empty();
            }
        }
    }

    private static boolean inside(Connection c, String permitId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT inside FROM permit_presence WHERE permit_id = ?")) {
            ps.setString(1, permitId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) == 1;
            }
        }
    }

    private static void presence(Connection c, String permitId, boolean inside, String sessionId, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO permit_presence (permit_id, inside, session_id, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (permit_id) DO UPDATE SET inside = excluded.inside, session_id = excluded.session_id,
                                                      updated_at = excluded.updated_at""")) {
            ps.setString(1, permitId);
            ps.setInt(2, inside ? 1 : 0);
            ps.setString(3, sessionId);
            ps.setString(4, now.toString());
            ps.executeUpdate();
        }
    }

    private static long version(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM lane_rules_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static int count(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String card(String card) {
        return card == null || card.isBlank() ? null : card.trim().toUpperCase(java.util.Locale.ROOT);
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

}
