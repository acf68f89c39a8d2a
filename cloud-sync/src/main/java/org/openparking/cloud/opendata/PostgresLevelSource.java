package org.openparking.cloud.opendata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;

/** {@link LevelSource} on cloud-sync's {@code levels} and {@code edges} tables. */
final class PostgresLevelSource implements LevelSource {
    private static final TypeReference<Map<String, TypeCount>> BY_TYPE = new TypeReference<>() {
    };

    private final DataSource dataSource;

    PostgresLevelSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public List<LevelState> levels(Set<String> lots) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT v.lot_id, v.level_id, v.capacity, v.free, v.by_type::text AS by_type, v.status, v.version,
                       v.updated_at, e.last_seen
                FROM levels v LEFT JOIN edges e ON e.edge_id = v.edge_id
                WHERE v.lot_id = ANY (?::text[]) ORDER BY v.lot_id, v.level_id""",
                rs -> new LevelState(rs.getString("lot_id"), rs.getString("level_id"), rs.getInt("capacity"),
                        rs.getInt("free"), byType(rs.getString("by_type")), rs.getString("status"),
                        rs.getLong("version"), Jdbc.instant(rs.getTimestamp("updated_at")),
                        Jdbc.instant(rs.getTimestamp("last_seen"))),
                (Object) Jdbc.textArray(lots)));
    }

    static Map<String, TypeCount> byType(String json) {
        try {
            return Json.mapper().readValue(json, BY_TYPE);
        } catch (JsonProcessingException e) {
            // The row came through the protocol codec; a shape we cannot read is shown without types.
            return Map.of();
        }
    }
}
