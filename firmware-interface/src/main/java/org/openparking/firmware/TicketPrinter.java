package org.openparking.firmware;

/** The entry terminal's ticket printer: prints the signed ticket string as a barcode or QR code. */
public interface TicketPrinter {
    String laneId();

    /** @throws HardwareException when out of paper or jammed */
    void print(String ticket);
}
