package org.openparking.protocol;

/**
 * A message that cannot be read. {@link #reason()} is a stable code that consumers put on the
 * dead-lettered message ({@code x-dead-reason}) so an operator sees why it was rejected.
 */
public final class ProtocolException extends Exception {
    /** Stable reason codes. */
    public enum Reason { MALFORMED_JSON, MISSING_FIELD, UNKNOWN_TYPE, UNSUPPORTED_SCHEMA_VERSION, INVALID_PAYLOAD }

    private final Reason reason;

    public ProtocolException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
