package org.openparking.protocol;

import java.time.Instant;

/**
 * A vehicle entered through a gate and was given a ticket. {@code plate} may be null. {@code right} is what it
 * entered with under the lane rules, {@code permit:<permitId>} or {@code reservation:<reservationId>}, or null for a
 * walk-in (and from edges older than this field).
 */
public record SessionOpened(String sessionId, String laneId, String plate, VehicleType vehicleType,
                            Instant entryTime, int tariffVersion, String right) implements Message.Event {
    public SessionOpened(String sessionId, String laneId, String plate, VehicleType vehicleType, Instant entryTime,
                         int tariffVersion) {
        this(sessionId, laneId, plate, vehicleType, entryTime, tariffVersion, null);
    }

    public SessionOpened {
        if (right != null && !right.matches("(permit|reservation):.{1,200}")) {
            throw new IllegalArgumentException("right must be permit:<id> or reservation:<id>, was " + right);
        }
        Checks.requireText(sessionId, "sessionId");
        Checks.requireText(laneId, "laneId");
        Checks.requireNonNull(vehicleType, "vehicleType");
        Checks.requireNonNull(entryTime, "entryTime");
    }
}
