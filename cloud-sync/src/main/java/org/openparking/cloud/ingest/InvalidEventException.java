package org.openparking.cloud.ingest;

/** A well-formed envelope that still cannot be applied (e.g. its edge id does not match its lot and level). */
public final class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }
}
