package org.openparking.edge;

import java.util.Map;

/**
 * A request the level refuses, with a stable code for lane terminals and a kind the HTTP layer maps to
 * a status in one place. Thrown before anything is stored, or inside a transaction that then rolls back.
 */
public final class ParkingException extends RuntimeException {
    public enum Kind { BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYMENT_REQUIRED, UNAVAILABLE }

    private final Kind kind;
    private final String code;
    private final Map<String, Object> details;

    public ParkingException(Kind kind, String code, String message) {
        this(kind, code, message, Map.of());
    }

    public ParkingException(Kind kind, String code, String message, Map<String, Object> details) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    /** Extra fields for the error body, e.g. the fee due with PAYMENT_REQUIRED. */
    public Map<String, Object> details() {
        return details;
    }
}
