package org.openparking.firmware;

import java.util.ArrayList;
import java.util.List;

/** Keeps what it printed; fails while a fault is injected. */
final class SimulatedTicketPrinter implements TicketPrinter {
    private final String laneId;
    private final List<String> printed = new ArrayList<>();
    private String fault;

    SimulatedTicketPrinter(String laneId) {
        this.laneId = laneId;
    }

    @Override
    public String laneId() {
        return laneId;
    }

    @Override
    public synchronized void print(String ticket) {
        requireTicket(ticket);
        if (fault != null) {
            throw new HardwareException("ticket printer on lane " + laneId + ": " + fault);
        }
        printed.add(ticket);
    }

    synchronized void fault(String reason) {
        fault = reason;
    }

    synchronized List<String> printed() {
        return List.copyOf(printed);
    }

    static void requireTicket(String ticket) {
        if (ticket == null || ticket.isBlank()) {
            throw new IllegalArgumentException("ticket must not be blank");
        }
    }
}
