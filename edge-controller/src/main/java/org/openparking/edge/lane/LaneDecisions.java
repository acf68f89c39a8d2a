package org.openparking.edge.lane;

import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.session.ParkingService;

/**
 * Told of every entry or exit decision a lane takes and how long it took from the request to the gate
 * command (nanoseconds): the edge's meters listen. Called on the deciding thread, so it must not block.
 */
public interface LaneDecisions {
    LaneDecisions NONE = new LaneDecisions() {
        @Override
        public void entered(String laneId, ParkingService.Admission admission, long nanos) {
        }

        @Override
        public void exited(String laneId, ParkingService.Departure departure, long nanos) {
        }

        @Override
        public void refused(String laneId, EdgeSettings.Direction direction, String reason, long nanos) {
        }
    };

    void entered(String laneId, ParkingService.Admission admission, long nanos);

    void exited(String laneId, ParkingService.Departure departure, long nanos);

    /** {@code reason} is the error code the caller got, e.g. {@code LEVEL_FULL}, {@code PAYMENT_REQUIRED}. */
    void refused(String laneId, EdgeSettings.Direction direction, String reason, long nanos);
}
