package org.openparking.edge.lane;

import java.time.Instant;
import org.openparking.edge.config.EdgeSettings;

/**
 * A lane as {@code GET /lanes} and MQTT show it. {@code lastRefusal} is the lane's newest refusal with its named
 * reason (what the lane's sign and the console show), null once the lane let a vehicle through after it.
 */
public record LaneView(String laneId, EdgeSettings.Direction direction, String barrier, LaneController.Phase phase,
                       boolean vehicleWaiting, boolean vehiclePassing, String fault, Instant updatedAt,
                       Refusal lastRefusal) {
    /** A refusal as the lane shows it. */
    public record Refusal(String reason, String message, Instant at) {
    }
}
