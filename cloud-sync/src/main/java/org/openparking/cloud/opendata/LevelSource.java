package org.openparking.cloud.opendata;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fleet state the public feeds are made from: the latest availability of each level and when its edge
 * was last heard from: {@link LiveLevelSource} (issue 16's in-memory live levels, what cloud-sync runs) or
 * {@link PostgresLevelSource} (the tables, its fallback while the live view is not current).
 */
public interface LevelSource {
    /** The levels of these lots, ordered by lot and level. */
    List<LevelState> levels(Set<String> lots) throws SQLException;

    /** Free and capacity of one space type on a level, as the edge counted them. */
    record TypeCount(int capacity, int free) {
    }

    /**
     * One level as the fleet knows it. Counts are the edge's and are not trusted to be in range here.
     *
     * @param observedAt when the edge counted (its availability's updatedAt)
     * @param lastSeen   when the cloud last heard from the edge (any event or heartbeat), null if never
     */
    record LevelState(String lotId, String levelId, int capacity, int free, Map<String, TypeCount> byType,
                      String status, long version, Instant observedAt, Instant lastSeen) {
        public LevelState {
            byType = Map.copyOf(byType);
        }
    }
}
