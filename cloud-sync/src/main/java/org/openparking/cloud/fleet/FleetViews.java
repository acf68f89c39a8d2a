package org.openparking.cloud.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** JSON shapes of the fleet read API. */
public final class FleetViews {
    private FleetViews() {
    }

    /** A lot: totals over its levels, its edges and its current tariff version (0 = none). */
    public record Lot(String lotId, int levels, int capacity, int occupied, int free, int edges, int edgesOnline,
                      int tariffVersion) {
    }

    /** A level's latest availability (highest version received) with its lanes and edge status. */
    public record Level(String lotId, String levelId, String edgeId, Integer capacity, Integer occupied,
                        Integer free, Map<String, Object> byType, String status, Long version, Instant updatedAt,
                        boolean edgeOnline, Instant edgeLastSeen, List<Lane> lanes) {
    }

    public record Lane(String laneId, String barrier, long version, Instant updatedAt) {
    }

    /**
     * Sync status of one edge. {@code lastSeq}: highest seq received; {@code contiguousSeq}: every
     * seq up to it received; {@code gaps}: seqs below lastSeq not received yet. {@code lagSeconds}:
     * receive time minus occurrence time of the newest delivery. {@code online}: seen within the
     * configured offline threshold.
     */
    public record Edge(String edgeId, String lotId, String levelId, long lastSeq, long contiguousSeq, long gaps,
                       long eventsReceived, Instant lastSeen, Instant lastEventAt, Double lagSeconds, boolean online,
                       Instant registeredAt, long unsentCommands, long unappliedCommands, String softwareVersion,
                       String syncState, Long outboxPending, Long oldestPendingAgeSeconds, Instant statusAt) {
    }

    /**
     * A session as the cloud merged it. {@code edgeId} and {@code levelId} are the level it entered on;
     * {@code exitLevelId} the level whose exit it left by (another level of the lot is allowed), null while open.
     */
    public record Session(String sessionId, String edgeId, String lotId, String levelId, String status,
                          Instant entryTime, String entryLane, String plate, String vehicleType,
                          Integer entryTariffVersion, Instant exitTime, String exitLane, Long feeAmount,
                          String currency, String paymentStatus, String paymentId, Integer tariffVersion,
                          Boolean lostTicket, String exitLevelId) {
    }

    /** One drift event of a level: what its bookkeeping expected and what was observed. */
    public record Drift(String lotId, String levelId, String edgeId, String vehicleType, String reason, int expected,
                        int observed, Instant occurredAt) {
    }

    /** {@code lots}: the caller's lots when it is a tenant, null for every lot. */
    public record DriftFilter(String lotId, String levelId, Instant from, int limit, java.util.Set<String> lots) {
        public DriftFilter {
            lots = lots == null ? null : java.util.Set.copyOf(lots);
            if (limit < 1 || limit > 1000) {
                throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
            }
        }
    }

    /**
     * Filters of {@code GET /sessions}; null means no filter. {@code from}/{@code to} bound the entry time.
     * {@code lots}: the lots the caller may see (a tenant), null for every lot.
     */
    public record SessionFilter(String lotId, String plate, String status, Instant from, Instant to, int limit,
                                java.util.Set<String> lots) {
        public SessionFilter {
            lots = lots == null ? null : java.util.Set.copyOf(lots);
            if (limit < 1 || limit > 1000) {
                throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
            }
            if (status != null && !status.equals("OPEN") && !status.equals("CLOSED")) {
                throw new IllegalArgumentException("status must be OPEN or CLOSED, was " + status);
            }
        }
    }
}
