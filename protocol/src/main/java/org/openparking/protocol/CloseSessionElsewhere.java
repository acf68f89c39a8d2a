package org.openparking.protocol;

import java.time.Instant;

/**
 * Close an open session of this level that left through another level of the lot: a ticket is valid at every
 * gate of the lot, so a car may enter on one level and leave on another. The exit level already recorded, billed
 * and reported the close; the level that opened the session learns of it only through this command, sent by the
 * cloud once per session. {@code exitEdgeId} and {@code exitLevelId} name the level whose exit the car used.
 */
public record CloseSessionElsewhere(String sessionId, Instant exitTime, String exitEdgeId, String exitLevelId)
        implements Message.Command {
    public CloseSessionElsewhere {
        Checks.requireText(sessionId, "sessionId");
        Checks.requireNonNull(exitTime, "exitTime");
        Checks.requireText(exitEdgeId, "exitEdgeId");
        Checks.requireText(exitLevelId, "exitLevelId");
    }
}
