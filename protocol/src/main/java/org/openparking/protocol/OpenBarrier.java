package org.openparking.protocol;

/** Open a lane's barrier remotely. Always audited: a reason and the operator are required. */
public record OpenBarrier(String laneId, String reason, String requestedBy) implements Message.Command {
    public OpenBarrier {
        Checks.requireText(laneId, "laneId");
        Checks.requireText(reason, "reason");
        Checks.requireText(requestedBy, "requestedBy");
    }
}
