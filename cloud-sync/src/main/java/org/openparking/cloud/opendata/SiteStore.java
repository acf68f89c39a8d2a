package org.openparking.cloud.opendata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.auth.Principal;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;

/** The operators' open-data choices and static site data per lot ({@code open_data_sites}). */
public final class SiteStore {
    private static final TypeReference<Map<String, Integer>> COUNTS = new TypeReference<>() {
    };
    private static final String COLUMNS = "lot_id, published, publish_levels, publish_realtime, name, address, lat, "
            + "lon, time_zone, opening_hours, fee_summary, height_limit_cm, spaces::text, version, updated_at";

    private final DataSource dataSource;

    public SiteStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A stored site with its version (incremented on every change). */
    public record Stored(String lotId, SiteData site, long version, java.time.Instant updatedAt) {
    }

    /** Replaces the lot's site data, audited under {@code by} in the same transaction. */
    public Stored put(String lotId, SiteData site, Principal by) throws SQLException {
        return Jdbc.inTransaction(dataSource, c -> {
            AuditLog.actAs(c, by);
            List<Stored> rows = Jdbc.query(c, """
                    INSERT INTO open_data_sites (lot_id, published, publish_levels, publish_realtime, name, address,
                                                 lat, lon, time_zone, opening_hours, fee_summary, height_limit_cm,
                                                 spaces, updated_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (lot_id) DO UPDATE SET
                        published = EXCLUDED.published, publish_levels = EXCLUDED.publish_levels,
                        publish_realtime = EXCLUDED.publish_realtime, name = EXCLUDED.name,
                        address = EXCLUDED.address, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
                        time_zone = EXCLUDED.time_zone, opening_hours = EXCLUDED.opening_hours,
                        fee_summary = EXCLUDED.fee_summary, height_limit_cm = EXCLUDED.height_limit_cm,
                        spaces = EXCLUDED.spaces, updated_by = EXCLUDED.updated_by,
                        version = open_data_sites.version + 1, updated_at = now()
                    RETURNING\s""" + COLUMNS, SiteStore::row,
                    lotId, site.published(), site.publishLevels(), site.publishRealtime(), site.name(),
                    site.address(), site.lat(), site.lon(), site.timeZone(), site.openingHours(), site.feeSummary(),
                    site.heightLimitCm(), new Jdbc.Json(json(site.spaces())), by.username());
            Stored stored = rows.getFirst();
            AuditLog.append(c, by, "open-data.update", lotId, lotId, null,
                    new AuditDetail(site.published(), site.publishLevels(), site.publishRealtime(), stored.version()));
            return stored;
        });
    }

    private record AuditDetail(boolean published, boolean publishLevels, boolean publishRealtime, long version) {
    }

    public Optional<Stored> get(String lotId) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, "SELECT " + COLUMNS + " FROM open_data_sites WHERE lot_id = ?",
                SiteStore::row, lotId)).stream().findFirst();
    }

    /** Every published lot, by lot id. */
    public Map<String, Stored> published() throws SQLException {
        Map<String, Stored> out = new LinkedHashMap<>();
        Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT " + COLUMNS + " FROM open_data_sites WHERE published ORDER BY lot_id", SiteStore::row))
                .forEach(s -> out.put(s.lotId(), s));
        return out;
    }

    private static Stored row(ResultSet rs) throws SQLException {
        int limit = rs.getInt("height_limit_cm");
        Integer height = rs.wasNull() ? null : limit;
        SiteData site = new SiteData(rs.getBoolean("published"), rs.getBoolean("publish_levels"),
                rs.getBoolean("publish_realtime"), rs.getString("name"), rs.getString("address"), rs.getDouble("lat"),
                rs.getDouble("lon"), rs.getString("time_zone"), rs.getString("opening_hours"),
                rs.getString("fee_summary"), height, counts(rs.getString("spaces")));
        return new Stored(rs.getString("lot_id"), site, rs.getLong("version"), Jdbc.instant(rs.getTimestamp("updated_at")));
    }

    private static Map<String, Integer> counts(String json) {
        try {
            return Json.mapper().readValue(json, COUNTS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("open_data_sites.spaces is not a JSON object: " + json, e);
        }
    }

    private static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
