package org.openparking.cloud;

/**
 * A request the cloud refuses, with a stable code. The HTTP layer maps {@link Kind} to a status in
 * one place; services never deal in status codes.
 */
public final class CloudException extends RuntimeException {
    /** Why: not found (404), conflicts with stored state (409), invalid input (400), a dependency is down (503). */
    public enum Kind { NOT_FOUND, CONFLICT, INVALID, UNAVAILABLE }

    private final Kind kind;
    private final String code;

    public CloudException(Kind kind, String code, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
    }

    public static CloudException notFound(String code, String message) {
        return new CloudException(Kind.NOT_FOUND, code, message);
    }

    public static CloudException conflict(String code, String message) {
        return new CloudException(Kind.CONFLICT, code, message);
    }

    public static CloudException invalid(String message) {
        return new CloudException(Kind.INVALID, "INVALID_REQUEST", message);
    }

    public static CloudException unavailable(String code, String message) {
        return new CloudException(Kind.UNAVAILABLE, code, message);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }
}
