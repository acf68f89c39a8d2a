package org.openparking.edge.ticket;

/** A ticket that fails verification. */
public final class InvalidTicketException extends RuntimeException {
    public enum Kind { MALFORMED, TAMPERED, FOREIGN }

    private final Kind kind;

    public InvalidTicketException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
