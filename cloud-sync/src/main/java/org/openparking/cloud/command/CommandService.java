package org.openparking.cloud.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.openparking.cloud.CloudException;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.auth.Principal;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Json;
import org.openparking.protocol.Message;
import org.openparking.protocol.OpenBarrier;
import org.openparking.protocol.SetLevelStatus;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.UpdateTariff;

/**
 * Commands to edges: tariffs per lot, level open/close, remote barrier opening, and registering
 * an edge before it ever connects. Each command is a row first, then a confirmed publish to the
 * edge's own queue, which is declared before publishing so an offline edge finds it on return.
 */
public final class CommandService {
    private final DataSource dataSource;
    private final OutgoingMessages outgoing;

    public CommandService(DataSource dataSource, OutgoingMessages outgoing) {
        this.dataSource = dataSource;
        this.outgoing = outgoing;
    }

    /** What a command request produced: the command ids, one per target edge. */
    public record Issued(List<String> commandIds, List<String> edgeIds) {
    }

    /** A tariff stored for a lot and the commands that carry it to the lot's edges. */
    public record TariffIssued(String lotId, Tariff tariff, Issued commands) {
    }

    /** Result of registering an edge: whether it was new, and the command carrying the lot's tariff (or null). */
    public record Registration(String edgeId, String lotId, String levelId, boolean created,
                               String tariffCommandId) {
    }

    /**
     * Stores {@code tariff} for the lot if its version is newer than the stored one (else 409
     * STALE_TARIFF_VERSION) and sends it to every known edge of the lot.
     */
    public TariffIssued putTariff(String lotId, Tariff tariff, Principal by) throws SQLException {
        String requestedBy = by.username();
        requireId(lotId, "lotId");
        List<OutgoingMessages.Pending> pending = Jdbc.inTransaction(dataSource, c -> {
            AuditLog.actAs(c, by);
            // Serializes concurrent PUTs for one lot, so two versions cannot both pass the check.
            Jdbc.query(c, "SELECT pg_advisory_xact_lock(hashtext(?))", rs -> null, "tariff:" + lotId);
            Optional<Integer> stored = latestTariffVersion(c, lotId);
            if (stored.isPresent() && stored.get() >= tariff.version()) {
                throw CloudException.conflict("STALE_TARIFF_VERSION", "lot " + lotId + " already has tariff version "
                        + stored.get() + "; a new tariff needs a higher version than that, was " + tariff.version());
            }
            Jdbc.update(c, "INSERT INTO tariffs (lot_id, version, tariff, requested_by) VALUES (?, ?, ?, ?)",
                    lotId, tariff.version(), new Jdbc.Json(json(tariff)), requestedBy);
            List<OutgoingMessages.Pending> rows = new ArrayList<>();
            for (String levelId : levelsOf(c, lotId)) {
                rows.add(outgoing.toEdge(c, lotId, levelId, new UpdateTariff(tariff), requestedBy));
            }
            return rows;
        });
        publishOrFail(pending);
        return new TariffIssued(lotId, tariff, issued(pending));
    }

    /** The lot's newest tariff, if any. */
    public Optional<Tariff> currentTariff(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT tariff::text FROM tariffs WHERE lot_id = ? ORDER BY version DESC LIMIT 1")) {
                ps.setString(1, lotId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(parseTariff(rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    /** Closes or re-opens a level. */
    public Issued setLevelStatus(String lotId, String levelId, boolean closed, String reason, Principal by)
            throws SQLException {
        return toKnownEdge(lotId, levelId, new SetLevelStatus(closed, reason, by.username()), by);
    }

    /** Opens a lane's barrier remotely; {@code reason} is required (audited). */
    public Issued openBarrier(String lotId, String levelId, String laneId, String reason, Principal by)
            throws SQLException {
        requireId(laneId, "laneId");
        if (reason == null || reason.isBlank()) {
            throw CloudException.invalid("reason is required to open a barrier remotely");
        }
        return toKnownEdge(lotId, levelId, new OpenBarrier(laneId, reason, by.username()), by);
    }

    /**
     * Registers edge {@code lotId.levelId} before it ever connects. A new edge of a lot that
     * already has a tariff is sent that tariff, so it waits in the edge's queue.
     */
    public Registration registerEdge(String lotId, String levelId, Principal by) throws SQLException {
        String requestedBy = by.username();
        requireId(lotId, "lotId");
        requireId(levelId, "levelId");
        String edgeId = Envelope.edgeId(lotId, levelId);
        record Tx(boolean created, Optional<OutgoingMessages.Pending> tariff, List<OutgoingMessages.Pending> more) {
        }
        Tx tx = Jdbc.inTransaction(dataSource, c -> {
            AuditLog.actAs(c, by);
            boolean created = Jdbc.update(c, """
                    INSERT INTO edges (edge_id, lot_id, level_id) VALUES (?, ?, ?) ON CONFLICT (edge_id) DO NOTHING""",
                    edgeId, lotId, levelId) == 1;
            Optional<OutgoingMessages.Pending> tariffCommand = Optional.empty();
            List<OutgoingMessages.Pending> rules = new ArrayList<>();
            if (created) {
                Optional<String> tariff = latestTariffJson(c, lotId);
                if (tariff.isPresent()) {
                    tariffCommand = Optional.of(outgoing.toEdge(c, lotId, levelId,
                            new UpdateTariff(parseTariff(tariff.get())), requestedBy));
                }
                // A new level of a lot with lane rules gets the newest snapshot, waiting in its queue.
                org.openparking.protocol.UpdateLaneRules snapshot =
                        org.openparking.cloud.lanes.LaneRulesStore.latest(c, lotId);
                if (snapshot != null) {
                    rules.add(outgoing.toEdge(c, lotId, levelId, snapshot, requestedBy));
                }
            }
            if (created) {
                // The lot's validators and coupons (issue 19), so the new level does not wait for their next change.
                Optional<org.openparking.protocol.UpdateDiscounts> discounts =
                        org.openparking.cloud.discount.DiscountService.current(c, lotId, levelId);
                if (discounts.isPresent()) {
                    rules.add(outgoing.toEdge(c, lotId, levelId, discounts.get(), requestedBy));
                }
            }
            return new Tx(created, tariffCommand, rules);
        });
        outgoing.prepareEdgeQueue(edgeId);
        List<OutgoingMessages.Pending> all = new ArrayList<>(tx.tariff().stream().toList());
        all.addAll(tx.more());
        publishOrFail(all);
        return new Registration(edgeId, lotId, levelId, tx.created(),
                tx.tariff().map(OutgoingMessages.Pending::commandId).orElse(null));
    }

    private Issued toKnownEdge(String lotId, String levelId, Message.Command command, Principal by)
            throws SQLException {
        requireId(lotId, "lotId");
        requireId(levelId, "levelId");
        String edgeId = Envelope.edgeId(lotId, levelId);
        OutgoingMessages.Pending pending = Jdbc.inTransaction(dataSource, c -> {
            AuditLog.actAs(c, by);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM edges WHERE edge_id = ?")) {
                ps.setString(1, edgeId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw CloudException.notFound("EDGE_NOT_FOUND", "no edge " + edgeId
                                + " is known; register it with POST /api/v1/edges first");
                    }
                }
            }
            return outgoing.toEdge(c, lotId, levelId, command, by.username());
        });
        publishOrFail(List.of(pending));
        return issued(List.of(pending));
    }

    private void publishOrFail(List<OutgoingMessages.Pending> pending) throws SQLException {
        try {
            outgoing.publish(pending);
        } catch (IOException e) {
            throw CloudException.unavailable("BROKER_UNAVAILABLE", "stored, but RabbitMQ did not confirm the publish"
                    + " (commands " + issued(pending).commandIds() + " stay unsent and are re-published): "
                    + e.getMessage());
        }
    }

    private static Issued issued(List<OutgoingMessages.Pending> pending) {
        return new Issued(pending.stream().map(OutgoingMessages.Pending::commandId).toList(),
                pending.stream().map(OutgoingMessages.Pending::edgeId).toList());
    }

    private static List<String> levelsOf(Connection c, String lotId) throws SQLException {
        List<String> levels = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT level_id FROM edges WHERE lot_id = ? ORDER BY level_id")) {
            ps.setString(1, lotId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    levels.add(rs.getString(1));
                }
            }
        }
        return levels;
    }

    private static Optional<Integer> latestTariffVersion(Connection c, String lotId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT max(version) FROM tariffs WHERE lot_id = ?")) {
            ps.setString(1, lotId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int v = rs.getInt(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(v);
            }
        }
    }

    private static Optional<String> latestTariffJson(Connection c, String lotId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT tariff::text FROM tariffs WHERE lot_id = ? ORDER BY version DESC LIMIT 1")) {
            ps.setString(1, lotId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static void requireId(String value, String name) {
        if (value == null || value.isBlank() || !value.matches("[A-Za-z0-9_-]+")) {
            throw CloudException.invalid(name + " must be letters, digits, '-' or '_', was " + value);
        }
    }

    private static String json(Tariff tariff) {
        try {
            return Json.mapper().writeValueAsString(tariff);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Tariff parseTariff(String json) {
        try {
            return Json.mapper().readValue(json, Tariff.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored tariff unreadable", e);
        }
    }
}
