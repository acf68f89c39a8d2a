package org.openparking.cloud.history;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** What the history endpoints answer: dense series (one point per step, oldest first) in UTC instants. */
public final class HistoryViews {
    private HistoryViews() {
    }

    /** The chart windows: the last 24 hours in 5-minute steps, the last 7 days in hourly steps. */
    public enum Range {
        DAY("24h", java.time.Duration.ofHours(24), java.time.Duration.ofMinutes(5), "m"),
        WEEK("7d", java.time.Duration.ofDays(7), java.time.Duration.ofHours(1), "h");

        public final String text;
        public final java.time.Duration length;
        public final java.time.Duration step;
        final String resolution;

        Range(String text, java.time.Duration length, java.time.Duration step, String resolution) {
            this.text = text;
            this.length = length;
            this.step = step;
            this.resolution = resolution;
        }

        /** {@code 24h} or {@code 7d}; anything else is refused by name. */
        public static Range parse(String text) {
            for (Range r : values()) {
                if (r.text.equals(text)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("range must be 24h or 7d, was " + text);
        }
    }

    /** The lot's name and time zone (its open-data site data; the lot id and UTC when it has none). */
    public record LotInfo(String lotId, String name, String timeZone) {
    }

    /**
     * A level's occupancy in one step: {@code occupied} as the step ended, {@code min}/{@code max} the range it
     * spanned in the step; all null before the first recorded change.
     */
    public record OccupancyPoint(Instant at, Integer occupied, Integer min, Integer max, Integer capacity) {
    }

    public record LevelSeries(String levelId, Integer capacity, List<OccupancyPoint> points) {
    }

    public record Occupancy(String lotId, String name, String timeZone, String range, long stepSeconds, Instant from,
                            Instant to, List<LevelSeries> levels) {
    }

    /**
     * An edge in one step: {@code online} the share of its minutes with an edge.status report (0 when silent),
     * the worst outbox depth and age it reported, the worst ingest lag the cloud measured, its newest sync state.
     */
    public record HealthPoint(Instant at, double online, Integer reports, Long outboxPending,
                              Long oldestPendingAgeSeconds, Double lagSeconds, String syncState) {
    }

    public record EdgeSeries(String edgeId, String levelId, List<HealthPoint> points) {
    }

    public record EdgeHealth(String lotId, String name, String timeZone, String range, long stepSeconds, Instant from,
                             Instant to, List<EdgeSeries> edges) {
    }

    /**
     * One day in the lot's time zone: money collected ({@code PAID}) and refunded, by currency, in minor units;
     * payments by outcome ({@code pending}: no result yet), by the day of their result (or request).
     */
    public record RevenueDay(LocalDate day, Map<String, Long> paid, Map<String, Long> refunded, int paidCount,
                             int declined, int failed, int pending) {
    }

    public record Revenue(String lotId, String name, String timeZone, List<RevenueDay> days) {
    }
}
