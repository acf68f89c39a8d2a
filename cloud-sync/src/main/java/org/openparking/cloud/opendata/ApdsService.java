package org.openparking.cloud.opendata;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.fleet.FleetQueries;
import org.openparking.cloud.fleet.FleetViews;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;
import org.openparking.protocol.Tariff;

/**
 * APDS Sessions and Rates under {@code /api/v1/apds}, behind the gateway: an operator's token sees its own
 * tenant's lots only. The list filters in SQL by the caller's lots (the gateway's {@code NONE} scope), one
 * session is the gateway's {@code SESSION} scope and a lot's rates its {@code LOT} scope, so another tenant's
 * session or lot answers 404 exactly as an unknown one.
 */
public final class ApdsService implements HttpService {
    private final FleetQueries fleet;
    private final SiteStore sites;
    private final DataSource dataSource;

    public ApdsService(FleetQueries fleet, SiteStore sites, DataSource dataSource) {
        this.fleet = fleet;
        this.sites = sites;
        this.dataSource = dataSource;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/apds/sessions", this::sessions)
                .get("/apds/sessions/{id}", this::session)
                .get("/apds/lots/{lotId}/rates", this::rates)
                .get("/apds/lots/{lotId}/rights", this::rights);
    }

    private void sessions(ServerRequest req, ServerResponse res) throws Exception {
        Principal caller = AuthFilter.caller(req);
        String lot = req.query().first("lot").orElse(null);
        int limit = limit(req.query().first("limit").orElse(null));
        List<FleetViews.Session> found = fleet.sessions(new FleetViews.SessionFilter(lot, null,
                req.query().first("status").orElse(null), null, null, limit, caller.platform() ? null
                : caller.lots()));
        Map<String, Long> places = new HashMap<>();
        Map<String, ApdsRecords.VersionedReference> rights = rightsOf(found.stream()
                .map(FleetViews.Session::sessionId).toList());
        res.send(new ApdsRecords.Data<>(found.stream().map(s -> ApdsRecords.session(s, placeVersions(s.lotId(),
                places), rights.get(s.sessionId()))).toList()));
    }

    private void session(ServerRequest req, ServerResponse res) throws Exception {
        String id = req.path().pathParameters().get("id");
        // The gateway answers another tenant's session with NOT_FOUND "no such session"; an unknown one gets
        // the very same answer, so that a caller cannot tell other tenants' session ids from made-up ones.
        FleetViews.Session s = fleet.session(id)
                .orElseThrow(() -> CloudException.notFound("NOT_FOUND", "no such session"));
        res.send(ApdsRecords.session(s, placeVersions(s.lotId(), new HashMap<>()),
                rightsOf(List.of(s.sessionId())).get(s.sessionId())));
    }

    private void rates(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = req.path().pathParameters().get("lotId");
        Issued t = latestTariff(lotId).orElseThrow(() -> CloudException.notFound("TARIFF_NOT_FOUND",
                "lot " + lotId + " has no tariff"));
        res.send(new ApdsRecords.Data<>(List.of(ApdsRecords.rateTable(lotId, t.tariff(), t.issuedAt()))));
    }

    /** The AssignedRight (at its current version) each of these sessions entered with; walk-ins are absent. */
    private Map<String, ApdsRecords.VersionedReference> rightsOf(List<String> sessionIds) throws SQLException {
        Map<String, ApdsRecords.VersionedReference> out = new HashMap<>();
        if (sessionIds.isEmpty()) {
            return out;
        }
        Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT sr.session_id, sr.lot_id, sr.right_kind, sr.right_id, COALESCE(p.version, r.version, 1)
                FROM session_rights sr
                LEFT JOIN lane_permits p ON sr.right_kind = 'permit' AND p.lot_id = sr.lot_id
                                        AND p.permit_id = sr.right_id
                LEFT JOIN lane_reservations r ON sr.right_kind = 'reservation' AND r.lot_id = sr.lot_id
                                             AND r.reservation_id = sr.right_id
                WHERE sr.session_id = ANY(?::text[])""", rs -> out.put(rs.getString(1),
                new ApdsRecords.VersionedReference("AssignedRight", ApdsRecords.rightId(rs.getString(2),
                        rs.getString(3), rs.getString(4)), rs.getLong(5))), (Object) sessionIds.toArray(String[]::new)));
        return out;
    }

    /** The lot's permits and reservations as APDS AssignedRights (the gateway's LOT scope: its tenant only). */
    private void rights(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = req.path().pathParameters().get("lotId");
        List<ApdsRecords.AssignedRight> rights = Jdbc.read(dataSource, c -> {
            List<ApdsRecords.AssignedRight> out = new java.util.ArrayList<>(Jdbc.query(c, """
                    SELECT permit_id, plate, card, valid_from, valid_until, pool_id, version FROM lane_permits
                    WHERE lot_id = ? ORDER BY permit_id""", rs -> ApdsRecords.permit(lotId, rs.getString(1),
                    rs.getString(2), rs.getString(3), Jdbc.instant(rs.getTimestamp(4)),
                    Jdbc.instant(rs.getTimestamp(5)), rs.getString(6), rs.getLong(7)), lotId));
            out.addAll(Jdbc.query(c, """
                    SELECT reservation_id, plate, valid_from, valid_until, prepaid, version FROM lane_reservations
                    WHERE lot_id = ? ORDER BY valid_from, reservation_id""", rs -> ApdsRecords.reservation(lotId,
                    rs.getString(1), rs.getString(2), Jdbc.instant(rs.getTimestamp(3)),
                    Jdbc.instant(rs.getTimestamp(4)), rs.getBoolean(5), rs.getLong(6)), lotId));
            return out;
        });
        res.send(new ApdsRecords.Data<>(rights));
    }

    private static int limit(String v) {
        if (v == null) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(v);
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw CloudException.invalid("limit must be a number between 1 and 1000, was " + v);
    }

    /** The lot's Place version (its site data's), looked up once per lot of an answer. */
    private Map<String, Long> placeVersions(String lotId, Map<String, Long> seen) {
        if (!seen.containsKey(lotId)) {
            try {
                seen.put(lotId, sites.get(lotId).map(SiteStore.Stored::version).orElse(null));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        Map<String, Long> out = new HashMap<>(seen);
        out.values().removeIf(java.util.Objects::isNull);
        return out;
    }

    private record Issued(Tariff tariff, Instant issuedAt) {
    }

    /** The newest tariff of the lot and when it was issued (the rate table's validityStart). */
    private Optional<Issued> latestTariff(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT tariff::text, created_at FROM tariffs WHERE lot_id = ? ORDER BY version DESC LIMIT 1",
                rs -> new Issued(parse(rs.getString(1)), Jdbc.instant(rs.getTimestamp(2))), lotId))
                .stream().findFirst();
    }

    private static Tariff parse(String json) {
        try {
            return Json.mapper().readValue(json, Tariff.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored tariff cannot be read", e);
        }
    }
}
