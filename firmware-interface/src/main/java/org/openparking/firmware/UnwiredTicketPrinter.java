package org.openparking.firmware;

import java.util.logging.Logger;

/**
 * The ticket printer of a GPIO level. Printers hang on USB or serial, not on the pins HardwareConfig
 * describes, so this port only records that a ticket was issued; the lane terminal shows the ticket.
 */
final class UnwiredTicketPrinter implements TicketPrinter {
    private static final Logger LOG = Logger.getLogger(UnwiredTicketPrinter.class.getName());

    private final String laneId;

    UnwiredTicketPrinter(String laneId) {
        this.laneId = laneId;
    }

    @Override
    public String laneId() {
        return laneId;
    }

    @Override
    public void print(String ticket) {
        SimulatedTicketPrinter.requireTicket(ticket);
        // Not the ticket itself: it is a bearer credential for the exit.
        LOG.fine(() -> "ticket issued on lane " + laneId + " (no printer wired)");
    }
}
