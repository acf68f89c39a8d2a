package org.openparking.platform.jdbc;

/** A database operation failed; the cause is the driver's {@link java.sql.SQLException}. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
