package org.openparking.edge.session;

/** Everything an exit needs to know about a ticket right now. */
record Due(long fee, long paid, long amount, String currency, int tariffVersion, int attempts, String inFlight,
           String lastPaidId, String plate, boolean foreignLevel, boolean lostTicket) {
}
