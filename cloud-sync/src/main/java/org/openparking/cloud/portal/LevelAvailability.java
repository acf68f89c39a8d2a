package org.openparking.cloud.portal;

import java.time.Instant;

/** One level's latest availability, as the live views show it (and as {@code event: level} carries it). */
public record LevelAvailability(String lotId, String levelId, int capacity, int occupied, int free, String status,
                                long version, Instant updatedAt) {
    /** {@code lotId/levelId}. */
    public String key() {
        return lotId + "/" + levelId;
    }
}
