package org.openparking.edge.session;

/** Everything an exit needs to know about a ticket right now; {@code discounts} are recorded when it closes. */
record Due(long fee, long paid, long amount, String currency, int tariffVersion, int attempts, String inFlight,
           String lastPaidId, String plate, boolean foreignLevel, boolean lostTicket,
           java.util.List<org.openparking.protocol.AppliedDiscount> discounts,
           java.util.List<org.openparking.edge.tariff.LineItem> lineItems) {
}
