package org.openparking.protocol;

/** An edge's receipt for a command, so the cloud can show which edges applied what. */
public record CommandApplied(String commandId, String commandType, boolean applied, String detail)
        implements Message.Event {
    public CommandApplied {
        Checks.requireText(commandId, "commandId");
        Checks.requireText(commandType, "commandType");
    }
}
