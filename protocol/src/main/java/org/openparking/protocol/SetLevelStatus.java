package org.openparking.protocol;

/** Close a level (no entries, shown as CLOSED on the signs) or open it again. */
public record SetLevelStatus(boolean closed, String reason, String requestedBy) implements Message.Command {
}
