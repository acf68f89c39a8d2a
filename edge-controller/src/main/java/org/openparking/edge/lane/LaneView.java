package org.openparking.edge.lane;

import java.time.Instant;
import org.openparking.edge.config.EdgeSettings;

/** A lane as {@code GET /lanes} and MQTT show it. */
public record LaneView(String laneId, EdgeSettings.Direction direction, String barrier, LaneController.Phase phase,
                       boolean vehicleWaiting, boolean vehiclePassing, String fault, Instant updatedAt) {
}
