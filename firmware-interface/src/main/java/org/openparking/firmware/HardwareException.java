package org.openparking.firmware;

/** A device failed (paper out, drive fault, pin unavailable). */
public class HardwareException extends RuntimeException {
    public HardwareException(String message) {
        super(message);
    }

    public HardwareException(String message, Throwable cause) {
        super(message, cause);
    }
}
