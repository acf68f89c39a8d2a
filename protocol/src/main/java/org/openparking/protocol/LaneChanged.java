package org.openparking.protocol;

import java.time.Instant;

/** A lane's barrier moved or faulted. {@code barrier} is OPEN, CLOSED, OPENING, CLOSING or FAULT. */
public record LaneChanged(String laneId, String barrier, long version, Instant updatedAt) implements Message.Event {
    public LaneChanged {
        Checks.requireText(laneId, "laneId");
        Checks.requireText(barrier, "barrier");
        Checks.requireNonNull(updatedAt, "updatedAt");
    }
}
