package org.openparking.simulator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * What the edges acknowledged to the drivers (201 entries, 200 exits, pay-station payments), the
 * ground truth of the counting report, plus the running counters of the summary.
 */
final class Ledger {
    record EntryAck(String sessionId, String plate, String levelId) {
    }

    record ExitAck(String sessionId, String levelId, String paymentStatus, String paymentId, long fee) {
    }

    record PayStationAck(String sessionId, String paymentId, long amount) {
    }

    final Map<String, EntryAck> entries = new ConcurrentHashMap<>();
    final Map<String, ExitAck> exits = new ConcurrentHashMap<>();
    final Map<String, PayStationAck> payStation = new ConcurrentHashMap<>();
    final Map<String, LongAccumulator> maxOccupancy = new ConcurrentHashMap<>();
    final Map<String, Long> capacity = new ConcurrentHashMap<>();

    final AtomicLong declines = new AtomicLong();
    final AtomicLong pendingAtGate = new AtomicLong();
    final AtomicLong driveOffs = new AtomicLong();
    final AtomicLong lostTickets = new AtomicLong();
    final AtomicLong turnedAway = new AtomicLong();
    final AtomicLong spotMoves = new AtomicLong();
    /** Trips over a ramp between two levels (up or down, each counted at both ends). */
    final AtomicLong rampTrips = new AtomicLong();
    final AtomicLong ambiguousEntries = new AtomicLong();
    final AtomicLong ambiguousExits = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong revenue = new AtomicLong();
    final AtomicLong deferredAmount = new AtomicLong();

    // Issue 19's customers (docs/simulator.md, "Customers"): what the lanes refused by name, and who paid what.
    /** reason -> customer kind -> refusals (entries and exits; the driver then fell back or was turned away). */
    final Map<String, Map<String, AtomicLong>> refusals = new ConcurrentHashMap<>();
    /** customer kind -> fees of acknowledged exits (PAID, DEFERRED or pay station), minor units. */
    final Map<String, AtomicLong> feesByKind = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> exitsByKind = new ConcurrentHashMap<>();
    /** Permit holders whose rules let them in but whom a lane refused: plate, level, reason, offline or not. */
    final java.util.List<String> permitRefusals = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicLong permitRefusalsOffline = new AtomicLong();
    /** Permit holders admitted while their level said it had no cloud link. */
    final AtomicLong permitEntriesOffline = new AtomicLong();
    final AtomicLong permitEntries = new AtomicLong();
    final AtomicLong reservedEntries = new AtomicLong();
    /** Validated exits; those whose VALIDATION line took something off the fee the line items add up to. */
    final AtomicLong validatedExits = new AtomicLong();
    final AtomicLong validatedPaidLess = new AtomicLong();
    /** Fees before and after the validation, summed over the validated exits. */
    final AtomicLong validatedBefore = new AtomicLong();
    final AtomicLong validatedAfter = new AtomicLong();
    final AtomicLong couponsApplied = new AtomicLong();
    final AtomicLong ticketlessExits = new AtomicLong();
    /** Exit-camera reads by the simulated reader's outcome (CLEAN, CONFUSED, MISSED_CHARACTER, ...). */
    final Map<String, AtomicLong> plateReads = new ConcurrentHashMap<>();
    /** Line items whose amounts did not add up to the fee the exit answered. */
    final AtomicLong lineItemMismatches = new AtomicLong();

    void refused(String reason, String kind) {
        refusals.computeIfAbsent(reason, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    void paidBy(String kind, long fee) {
        feesByKind.computeIfAbsent(kind, k -> new AtomicLong()).addAndGet(fee);
        exitsByKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    void entered(EntryAck ack) {
        entries.put(ack.sessionId(), ack);
    }

    void exited(ExitAck ack) {
        exits.put(ack.sessionId(), ack);
        switch (ack.paymentStatus()) {
            case "PAID" -> revenue.addAndGet(ack.fee());
            case "DEFERRED" -> deferredAmount.addAndGet(ack.fee());
            default -> {
            }
        }
    }

    void paidAtPayStation(PayStationAck ack) {
        payStation.put(ack.paymentId(), ack);
        revenue.addAndGet(ack.amount());
    }

    long exitsWith(String status) {
        return exits.values().stream().filter(e -> e.paymentStatus().equals(status)).count();
    }

    void occupancy(String levelId, long occupied, long capacityOfLevel) {
        maxOccupancy.computeIfAbsent(levelId, l -> new LongAccumulator(Math::max, 0)).accumulate(occupied);
        capacity.put(levelId, capacityOfLevel);
    }

    long maxOccupancy(String levelId) {
        LongAccumulator a = maxOccupancy.get(levelId);
        return a == null ? 0 : a.get();
    }
}
