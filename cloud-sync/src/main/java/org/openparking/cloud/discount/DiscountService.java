package org.openparking.cloud.discount;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.AppliedDiscount;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.UpdateDiscounts;

/**
 * A lot's merchant validators and coupons (issue 19): created through the API (audited by trigger, tenant-scoped by
 * the lot in the path), pushed whole to every level of the lot as {@code command.discounts} under the lot's next
 * version. Each level's copy counts, per coupon, the uses the cloud has seen on the lot's other levels, so a level
 * enforces {@code maxUses} with what it knows offline. The rule for the offline case: a level that cannot hear of
 * the others' uses may accept a coupon the lot has used up; the cloud counts every use it is told of and reports
 * a coupon used more than {@code maxUses} times as over-used ({@link CouponView#overUsed}), the drift of coupons.
 */
public final class DiscountService {
    private final DataSource dataSource;
    private final OutgoingMessages outgoing;

    public DiscountService(DataSource dataSource, OutgoingMessages outgoing) {
        this.dataSource = dataSource;
        this.outgoing = outgoing;
    }

    /** A coupon with the uses reported from the lot's levels. */
    public record CouponView(String code, UpdateDiscounts.Kind kind, long value, int maxUses, Instant validFrom,
                             Instant validUntil, long uses, Map<String, Long> usesByLevel, boolean overUsed) {
    }

    /** What a create pushed: the lot's discounts version and the commands that carry it. */
    public record Pushed(int version, List<String> commandIds, List<String> edgeIds) {
    }

    /** Validation uses per validator and department over a period, from the sessions the levels reported. */
    public record BillBackLine(String validatorId, String name, String department, long uses, long amount) {
    }

    public record BillBack(String lotId, Instant from, Instant to, List<BillBackLine> lines) {
    }

    public record Created<T>(T created, Pushed pushed) {
    }

    public Created<UpdateDiscounts.Validator> createValidator(String lotId, UpdateDiscounts.Validator v, Principal by)
            throws SQLException {
        return create(lotId, by, c -> Jdbc.update(c, """
                INSERT INTO validators (lot_id, validator_id, name, department, kind, value, valid_minutes, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""", lotId, v.validatorId(), v.name(),
                v.department(), v.kind(), v.value(), v.validMinutes(), by.username()) == 1,
                () -> CloudException.conflict("VALIDATOR_EXISTS", "validator " + v.validatorId()
                        + " already exists on lot " + lotId), v);
    }

    public Created<UpdateDiscounts.Coupon> createCoupon(String lotId, UpdateDiscounts.Coupon k, Principal by)
            throws SQLException {
        return create(lotId, by, c -> Jdbc.update(c, """
                INSERT INTO coupons (lot_id, code, kind, value, max_uses, valid_from, valid_until, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""", lotId, k.code(), k.kind(), k.value(),
                k.maxUses(), k.validFrom(), k.validUntil(), by.username()) == 1,
                () -> CloudException.conflict("COUPON_EXISTS", "coupon " + k.code() + " already exists on lot "
                        + lotId), k);
    }

    private interface Insert {
        boolean insert(Connection c) throws SQLException;
    }

    private <T> Created<T> create(String lotId, Principal by, Insert insert,
                                  java.util.function.Supplier<CloudException> exists, T created) throws SQLException {
        requireLot(lotId);
        List<OutgoingMessages.Pending> pending = Jdbc.inTransaction(dataSource, c -> {
            AuditLog.actAs(c, by);
            if (!insert.insert(c)) {
                throw exists.get();
            }
            return pushIn(c, lotId, by.username());
        });
        int version = Jdbc.read(dataSource, c -> Jdbc.query(c, "SELECT version FROM discount_versions WHERE lot_id = ?",
                rs -> rs.getInt(1), lotId)).stream().findFirst().orElse(0);
        try {
            outgoing.publish(pending);
        } catch (IOException e) {
            throw CloudException.unavailable("BROKER_UNAVAILABLE", "stored, but RabbitMQ did not confirm the publish"
                    + " (the commands stay unsent and are re-published): " + e.getMessage());
        }
        return new Created<>(created, new Pushed(version,
                pending.stream().map(OutgoingMessages.Pending::commandId).toList(),
                pending.stream().map(OutgoingMessages.Pending::edgeId).toList()));
    }

    public List<UpdateDiscounts.Validator> validators(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> validatorsIn(c, lotId));
    }

    public List<CouponView> coupons(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> {
            Map<String, Map<String, Long>> uses = usesByLevel(c, lotId);
            List<CouponView> out = new ArrayList<>();
            for (UpdateDiscounts.Coupon k : couponsIn(c, lotId)) {
                Map<String, Long> byLevel = uses.getOrDefault(k.code(), Map.of());
                long total = byLevel.values().stream().mapToLong(Long::longValue).sum();
                out.add(new CouponView(k.code(), k.kind(), k.value(), k.maxUses(), k.validFrom(), k.validUntil(),
                        total, byLevel, k.maxUses() > 0 && total > k.maxUses()));
            }
            return out;
        });
    }

    /** Validations used in {@code [from, to)} (exit time), per validator and department. */
    public BillBack billBack(String lotId, Instant from, Instant to) throws SQLException {
        return new BillBack(lotId, from, to, Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT d.reference, coalesce(v.name, d.reference), coalesce(d.department, ''), count(*), sum(d.amount)
                FROM session_discounts d LEFT JOIN validators v ON v.lot_id = d.lot_id AND v.validator_id = d.reference
                WHERE d.lot_id = ? AND d.source = 'VALIDATION' AND d.exit_time >= ? AND d.exit_time < ?
                GROUP BY 1, 2, 3 ORDER BY 1, 3""", rs -> new BillBackLine(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getLong(4), rs.getLong(5)), lotId, from, to)));
    }

    /**
     * The discounts of a closed session as a level reported them, in the ingest transaction. A coupon use changes
     * what the lot's other levels must count, so it returns the push of the lot's discounts (else nothing).
     */
    public List<OutgoingMessages.Pending> recordClose(Connection c, Envelope e, SessionClosed m) throws SQLException {
        boolean coupon = false;
        for (AppliedDiscount d : m.discounts()) {
            boolean inserted = Jdbc.update(c, """
                    INSERT INTO session_discounts (session_id, source, lot_id, level_id, reference, department, amount,
                                                   exit_time)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""", m.sessionId(), d.source(), e.lotId(),
                    e.levelId(), d.reference(), d.department(), d.amount(), m.exitTime()) == 1;
            coupon |= inserted && d.source().equals("COUPON");
        }
        return coupon ? pushIn(c, e.lotId(), "system") : List.of();
    }

    /**
     * The lot's discounts at their current version for a level registered after they were pushed (empty when the lot
     * has none), so a new level does not wait for the next change.
     */
    public static java.util.Optional<UpdateDiscounts> current(Connection c, String lotId, String levelId)
            throws SQLException {
        List<Integer> version = Jdbc.query(c, "SELECT version FROM discount_versions WHERE lot_id = ?",
                rs -> rs.getInt(1), lotId);
        if (version.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new UpdateDiscounts(version.getFirst(), validatorsIn(c, lotId),
                forLevel(couponsIn(c, lotId), usesByLevel(c, lotId), levelId)));
    }

    private static List<UpdateDiscounts.Coupon> forLevel(List<UpdateDiscounts.Coupon> coupons,
                                                         Map<String, Map<String, Long>> uses, String level) {
        return coupons.stream().map(k -> {
            long elsewhere = uses.getOrDefault(k.code(), Map.of()).entrySet().stream()
                    .filter(u -> !u.getKey().equals(level)).mapToLong(Map.Entry::getValue).sum();
            return new UpdateDiscounts.Coupon(k.code(), k.kind(), k.value(), k.maxUses(), k.validFrom(),
                    k.validUntil(), (int) Math.min(Integer.MAX_VALUE, elsewhere));
        }).toList();
    }

    /** The lot's next discounts version, one command per level, each with the other levels' coupon uses. */
    private List<OutgoingMessages.Pending> pushIn(Connection c, String lotId, String by) throws SQLException {
        Jdbc.query(c, "SELECT pg_advisory_xact_lock(hashtext(?))", rs -> null, "discounts:" + lotId);
        int version = Jdbc.query(c, """
                INSERT INTO discount_versions (lot_id, version) VALUES (?, 1)
                ON CONFLICT (lot_id) DO UPDATE SET version = discount_versions.version + 1 RETURNING version""",
                rs -> rs.getInt(1), lotId).getFirst();
        List<UpdateDiscounts.Validator> validators = validatorsIn(c, lotId);
        List<UpdateDiscounts.Coupon> coupons = couponsIn(c, lotId);
        Map<String, Map<String, Long>> uses = usesByLevel(c, lotId);
        List<String> levels = Jdbc.query(c, "SELECT level_id FROM edges WHERE lot_id = ? ORDER BY level_id",
                rs -> rs.getString(1), lotId);
        List<OutgoingMessages.Pending> pending = new ArrayList<>();
        for (String level : levels) {
            pending.add(outgoing.toEdge(c, lotId, level,
                    new UpdateDiscounts(version, validators, forLevel(coupons, uses, level)), by));
        }
        return pending;
    }

    private static List<UpdateDiscounts.Validator> validatorsIn(Connection c, String lotId) throws SQLException {
        return Jdbc.query(c, """
                SELECT validator_id, name, department, kind, value, valid_minutes FROM validators WHERE lot_id = ?
                ORDER BY validator_id""", rs -> new UpdateDiscounts.Validator(rs.getString(1), rs.getString(2),
                rs.getString(3), UpdateDiscounts.Kind.valueOf(rs.getString(4)), rs.getLong(5), rs.getInt(6)), lotId);
    }

    private static List<UpdateDiscounts.Coupon> couponsIn(Connection c, String lotId) throws SQLException {
        return Jdbc.query(c, """
                SELECT code, kind, value, max_uses, valid_from, valid_until FROM coupons WHERE lot_id = ?
                ORDER BY code""", rs -> new UpdateDiscounts.Coupon(rs.getString(1),
                UpdateDiscounts.Kind.valueOf(rs.getString(2)), rs.getLong(3), rs.getInt(4),
                Jdbc.instant(rs.getTimestamp(5)), Jdbc.instant(rs.getTimestamp(6)), 0), lotId);
    }

    private static Map<String, Map<String, Long>> usesByLevel(Connection c, String lotId) throws SQLException {
        Map<String, Map<String, Long>> uses = new HashMap<>();
        Jdbc.query(c, """
                SELECT reference, level_id, count(*) FROM session_discounts WHERE lot_id = ? AND source = 'COUPON'
                GROUP BY 1, 2""", rs -> {
            uses.computeIfAbsent(rs.getString(1), k -> new java.util.TreeMap<>()).put(rs.getString(2), rs.getLong(3));
            return 0;
        }, lotId);
        return uses;
    }

    private static void requireLot(String lotId) {
        if (lotId == null || !lotId.matches("[A-Za-z0-9_-]+")) {
            throw CloudException.invalid("lotId must be letters, digits, '-' or '_', was " + lotId);
        }
    }
}
