package org.openparking.edge.store;

/** The SQLite file could not be read or written. Maps to 503: the level's truth is unavailable. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
