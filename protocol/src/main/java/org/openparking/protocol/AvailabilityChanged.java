package org.openparking.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A level's availability. State-carrying: {@code version} increases with every change, and a
 * consumer keeps the highest version it has seen, so reordered deliveries converge.
 */
public record AvailabilityChanged(int capacity, int occupied, int free, Map<VehicleType, TypeCount> byType,
                                  String status, long version, Instant updatedAt)
        implements Message.Event {
    public AvailabilityChanged {
        Checks.requireNonNegative(capacity, "capacity");
        Checks.requireNonNegative(occupied, "occupied");
        Checks.requireNonNegative(free, "free");
        byType = Map.copyOf(Checks.requireNonNull(byType, "byType"));
        Checks.requireText(status, "status");
        Checks.requireNonNull(updatedAt, "updatedAt");
    }

    /** Capacity and free spots of one vehicle type. */
    public record TypeCount(int capacity, int free) {
        public TypeCount {
            Checks.requireNonNegative(capacity, "capacity");
            Checks.requireNonNegative(free, "free");
        }
    }
}
