package org.openparking.protocol;

import java.time.Instant;

/** A vehicle entered through a gate and was given a ticket. {@code plate} may be null. */
public record SessionOpened(String sessionId, String laneId, String plate, VehicleType vehicleType,
                            Instant entryTime, int tariffVersion) implements Message.Event {
    public SessionOpened {
        Checks.requireText(sessionId, "sessionId");
        Checks.requireText(laneId, "laneId");
        Checks.requireNonNull(vehicleType, "vehicleType");
        Checks.requireNonNull(entryTime, "entryTime");
    }
}
