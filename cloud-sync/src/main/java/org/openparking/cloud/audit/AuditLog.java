package org.openparking.cloud.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.openparking.cloud.auth.Principal;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;

/**
 * The append-only audit log. Rows are written inside the transaction of the action they record
 * (by {@link #append} here, or by the database triggers on commands, tariffs and refunds);
 * PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the table.
 */
public final class AuditLog {
    private final DataSource dataSource;

    public AuditLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One audit row. */
    public record Entry(long id, Instant at, String actor, String role, String action, String target, String lotId,
                        String reason, String requestId, String detail) {
    }

    /**
     * Appends a row on {@code c}, inside the caller's transaction; {@code detail} (a record, or null) is
     * stored as its JSON.
     */
    public static void append(Connection c, Principal by, String action, String target, String lotId, String reason,
                              Object detail) throws SQLException {
        Jdbc.update(c, """
                INSERT INTO audit_log (actor, role, action, target, lot_id, reason, request_id, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", by.username(), by.role().claim(), action, target, lotId, reason,
                by.requestId(), detail == null ? null : new Jdbc.Json(json(detail)));
    }

    /**
     * Names {@code by} to the audit triggers (on commands, tariffs and refunds) for the rest of the
     * transaction on {@code c}: call it first in the transaction of an operator action. Transaction-local,
     * so a pooled connection never carries a previous caller.
     */
    public static void actAs(Connection c, Principal by) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('parking.actor', ?, true), "
                + "set_config('parking.role', ?, true), set_config('parking.request_id', ?, true)")) {
            ps.setString(1, by.username());
            ps.setString(2, by.role().claim());
            ps.setString(3, by.requestId() == null ? "" : by.requestId());
            ps.executeQuery().close();
        }
    }

    private static String json(Object detail) {
        try {
            return Json.mapper().writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail is not serializable: " + detail, e);
        }
    }

    /** Newest first; a tenant sees only rows of its own lots. */
    public List<Entry> list(Principal caller, String lotId, String action, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("""
                SELECT id, at, actor, role, action, target, lot_id, reason, request_id, detail::text
                FROM audit_log WHERE 1 = 1""");
        List<Object> params = new java.util.ArrayList<>();
        if (!caller.platform()) {
            sql.append(" AND lot_id = ANY (?)");
            params.add(caller.lots().toArray(String[]::new));
        }
        if (lotId != null) {
            sql.append(" AND lot_id = ?");
            params.add(lotId);
        }
        if (action != null) {
            sql.append(" AND action = ?");
            params.add(action);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        params.add(limit);
        return Jdbc.read(dataSource, c -> {
            Object[] bound = params.toArray();
            for (int i = 0; i < bound.length; i++) {
                if (bound[i] instanceof String[] array) {
                    bound[i] = c.createArrayOf("text", array);
                }
            }
            return Jdbc.query(c, sql.toString(), rs -> new Entry(rs.getLong(1), Jdbc.instant(rs.getTimestamp(2)),
                    rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                    rs.getString(8), rs.getString(9), rs.getString(10)), bound);
        });
    }
}
