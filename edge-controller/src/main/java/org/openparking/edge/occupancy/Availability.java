package org.openparking.edge.occupancy;

import java.time.Instant;
import java.util.Map;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.VehicleType;

/**
 * A level's availability as served by {@code GET /availability} and published on MQTT. {@code drift}
 * counts the recorded disagreements between sessions and sensors and the clamps into [0, capacity].
 */
public record Availability(String lotId, String levelId, int capacity, int occupied, int free,
                           Map<VehicleType, TypeCount> byType, Status status, long version, Instant updatedAt,
                           long drift) {

    public enum Status { OPEN, FULL, CLOSED }

    public record TypeCount(int capacity, int free) {
    }

    public Availability {
        byType = Map.copyOf(byType);
    }

    /** Same counts and status, ignoring version and time: whether a change must be published. */
    public boolean sameCountsAs(Availability other) {
        return other != null && capacity == other.capacity && occupied == other.occupied && free == other.free
                && byType.equals(other.byType) && status == other.status && drift == other.drift;
    }

    public AvailabilityChanged toEvent() {
        Map<VehicleType, AvailabilityChanged.TypeCount> types = new java.util.EnumMap<>(VehicleType.class);
        byType.forEach((t, c) -> types.put(t, new AvailabilityChanged.TypeCount(c.capacity(), c.free())));
        return new AvailabilityChanged(capacity, occupied, free, types, status.name(), version, updatedAt);
    }
}
