package org.openparking.cloud.opendata;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.openparking.cloud.opendata.LevelSource.LevelState;

/**
 * The public view of the published lots, computed from the operators' site data and the fleet state. Every
 * format is written from this one view, so they agree: counts clamped into [0, capacity] (and flagged when
 * they had to be), realtime withheld when an edge was silent longer than {@code stale-after} (and said so),
 * opening status (hours, operator closure) apart from occupancy, and a closed lot or level shows 0 free.
 */
public final class PublicAvailability {
    /** OPEN, CLOSED or UNKNOWN (no hours and no fresh realtime). */
    public enum OpeningStatus { OPEN, CLOSED, UNKNOWN }

    /** How full, apart from whether it is open. */
    public enum Occupancy { AVAILABLE, ALMOST_FULL, FULL, CLOSED, UNKNOWN }

    /** Free spaces now compared with a trend window ago. */
    public enum Trend { FILLING, EMPTYING, STABLE, UNKNOWN }

    /** Capacity and free spaces of one space type; free null when realtime is withheld. */
    public record Count(int capacity, Integer free) {
    }

    /**
     * One level. {@code lastSeen} is given only while the level is stale (when its edge was last heard from):
     * a fresh edge's heartbeats move it every few seconds, and a public answer (and its ETag) changes only when
     * what it says changes.
     */
    public record Level(String levelId, int capacity, Integer free, SortedMap<String, Count> byType,
                        OpeningStatus openingStatus, Occupancy occupancy, boolean realtime, boolean stale,
                        boolean clamped, Instant observedAt, Instant lastSeen, Trend trend) {
    }

    /**
     * One lot: static site data, then the lot's totals. {@code siteVersion} grows with each change of the
     * operator's site data (APDS versions).
     */
    public record Lot(String lotId, long siteVersion, Instant siteUpdatedAt, String name, String address, double lat,
                      double lon, String timeZone, String openingHours, String feeSummary, Integer heightLimitCm,
                      SortedMap<String, Integer> spaces, OpeningStatus openingStatus, String openingReason,
                      int capacity, Integer free, SortedMap<String, Count> byType, Occupancy occupancy,
                      boolean realtime, boolean stale, String staleReason, boolean clamped, Instant observedAt,
                      Trend trend, List<Level> levels) {
    }

    private final SiteStore sites;
    private final LevelSource source;
    private final TrendSampler trends;
    private final OpenDataSettings settings;
    private final Clock clock;

    public PublicAvailability(SiteStore sites, LevelSource source, TrendSampler trends, OpenDataSettings settings,
                              Clock clock) {
        this.sites = sites;
        this.source = source;
        this.trends = trends;
        this.settings = settings;
        this.clock = clock;
    }

    /** The view on the fleet's tables, for Main. */
    public static PublicAvailability postgres(javax.sql.DataSource dataSource, TrendSampler trends,
                                              OpenDataSettings settings, Clock clock) {
        return new PublicAvailability(new SiteStore(dataSource), new PostgresLevelSource(dataSource), trends, settings,
                clock);
    }

    /**
     * The view on issue 16's in-memory levels (PostgreSQL only for what they do not carry, and while they are
     * not current), for Main.
     */
    public static PublicAvailability live(org.openparking.cloud.portal.LiveLevels levels,
                                          javax.sql.DataSource dataSource, TrendSampler trends,
                                          OpenDataSettings settings, Clock clock) {
        return new PublicAvailability(new SiteStore(dataSource), new LiveLevelSource(levels, dataSource,
                settings.edgeRefresh(), clock), trends, settings, clock);
    }

    public OpenDataSettings settings() {
        return settings;
    }

    /** Every published lot, ordered by id. */
    public List<Lot> lots() throws SQLException {
        Map<String, SiteStore.Stored> published = sites.published();
        if (published.isEmpty()) {
            return List.of();
        }
        Instant now = clock.instant();
        Map<String, List<LevelState>> levels = new TreeMap<>();
        for (LevelState l : source.levels(published.keySet())) {
            levels.computeIfAbsent(l.lotId(), k -> new ArrayList<>()).add(l);
        }
        Map<String, Integer> past = trends.pastFree(published.keySet());
        List<Lot> out = new ArrayList<>();
        for (SiteStore.Stored s : published.values()) {
            out.add(lot(s, levels.getOrDefault(s.lotId(), List.of()), past, now));
        }
        return out;
    }

    /** One published lot; empty if it is unknown or not published (the same answer for both). */
    public Optional<Lot> lot(String lotId) throws SQLException {
        return lots().stream().filter(l -> l.lotId().equals(lotId)).findFirst();
    }

    private Lot lot(SiteStore.Stored stored, List<LevelState> states, Map<String, Integer> past, Instant now) {
        SiteData site = stored.site();
        OpeningHours hours = site.hours();
        Boolean openByHours = hours == null ? null : hours.isOpen(now.atZone(site.zone()).toLocalDateTime());
        Instant staleBefore = now.minus(settings.staleAfter());
        boolean anyStale = false;
        boolean allClosedByOperator = !states.isEmpty();
        boolean anyFreshOpen = false;
        String staleReason = null;
        for (LevelState s : states) {
            boolean stale = stale(s, staleBefore);
            anyStale |= stale;
            boolean operatorClosed = "CLOSED".equals(s.status());
            allClosedByOperator &= !stale && operatorClosed;
            anyFreshOpen |= !stale && !operatorClosed;
            if (stale && staleReason == null) {
                staleReason = "level " + s.levelId() + ": edge silent since " + (s.lastSeen() == null ? "never seen"
                        : s.lastSeen()) + ", realtime withheld after " + settings.staleAfter();
            }
        }
        OpeningStatus opening;
        String reason;
        if (Boolean.FALSE.equals(openByHours)) {
            opening = OpeningStatus.CLOSED;
            reason = "OPENING_HOURS";
        } else if (allClosedByOperator) {
            opening = OpeningStatus.CLOSED;
            reason = "CLOSED_BY_OPERATOR";
        } else if (Boolean.TRUE.equals(openByHours)) {
            opening = OpeningStatus.OPEN;
            reason = "OPENING_HOURS";
        } else if (anyFreshOpen) {
            opening = OpeningStatus.OPEN;
            reason = "REALTIME";
        } else {
            opening = OpeningStatus.UNKNOWN;
            reason = null;
        }
        boolean publishRealtime = site.publishRealtime();
        List<Level> levels = new ArrayList<>();
        for (LevelState s : states) {
            levels.add(level(s, opening, openByHours, publishRealtime, staleBefore, past));
        }
        boolean realtime = publishRealtime && !states.isEmpty() && !anyStale;
        int capacity = states.isEmpty() ? site.spaces().values().stream().mapToInt(Integer::intValue).sum()
                : levels.stream().mapToInt(Level::capacity).sum();
        Integer free = realtime ? levels.stream().mapToInt(Level::free).sum() : null;
        SortedMap<String, Count> byType = new TreeMap<>();
        for (Level l : levels) {
            l.byType().forEach((type, c) -> byType.merge(type, c, (a, b) -> new Count(a.capacity() + b.capacity(),
                    realtime ? a.free() + b.free() : null)));
        }
        if (!realtime) {
            byType.replaceAll((type, c) -> new Count(c.capacity(), null));
        }
        Trend trend = Trend.UNKNOWN;
        if (realtime && levels.stream().allMatch(l -> l.trend() != Trend.UNKNOWN)) {
            trend = trendOf(levels.stream().mapToInt(l -> delta(stored.lotId(), l, past)).sum());
        }
        Instant observedAt = levels.stream().map(Level::observedAt).filter(java.util.Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        return new Lot(stored.lotId(), stored.version(), stored.updatedAt(), site.name(), site.address(), site.lat(),
                site.lon(), site.timeZone(), site.openingHours(), site.feeSummary(), site.heightLimitCm(),
                new TreeMap<>(site.spaces()), opening, reason, capacity, free, byType,
                occupancy(opening, realtime, free, capacity), realtime, publishRealtime && anyStale,
                publishRealtime ? staleReason : null, levels.stream().anyMatch(Level::clamped), observedAt, trend,
                site.publishLevels() ? levels : List.of());
    }

    private Level level(LevelState s, OpeningStatus lotOpening, Boolean openByHours, boolean publishRealtime,
                        Instant staleBefore, Map<String, Integer> past) {
        boolean stale = stale(s, staleBefore);
        int capacity = Math.max(0, s.capacity());
        int clampedFree = clamp(s.free(), capacity);
        boolean clamped = clampedFree != s.free() || capacity != s.capacity();
        OpeningStatus opening;
        if (lotOpening == OpeningStatus.CLOSED) {
            opening = OpeningStatus.CLOSED;
        } else if (stale) {
            opening = Boolean.TRUE.equals(openByHours) ? OpeningStatus.OPEN : OpeningStatus.UNKNOWN;
        } else {
            opening = "CLOSED".equals(s.status()) ? OpeningStatus.CLOSED : OpeningStatus.OPEN;
        }
        boolean realtime = publishRealtime && !stale;
        boolean closed = opening == OpeningStatus.CLOSED;
        SortedMap<String, Count> byType = new TreeMap<>();
        for (Map.Entry<String, LevelSource.TypeCount> e : s.byType().entrySet()) {
            int typeCapacity = Math.max(0, e.getValue().capacity());
            int typeFree = clamp(e.getValue().free(), typeCapacity);
            clamped |= typeFree != e.getValue().free() || typeCapacity != e.getValue().capacity();
            byType.put(e.getKey(), new Count(typeCapacity, realtime ? (closed ? 0 : typeFree) : null));
        }
        Integer free = realtime ? (closed ? 0 : clampedFree) : null;
        Trend trend = Trend.UNKNOWN;
        Integer before = past.get(s.lotId() + "/" + s.levelId());
        if (realtime && !closed && before != null) {
            trend = trendOf(free - clamp(before, capacity));
        }
        return new Level(s.levelId(), capacity, free, byType, opening, occupancy(opening, realtime, free, capacity),
                realtime, publishRealtime && stale, clamped, s.observedAt(), stale ? s.lastSeen() : null, trend);
    }

    private static int delta(String lotId, Level l, Map<String, Integer> past) {
        return l.free() - clamp(past.get(lotId + "/" + l.levelId()), l.capacity());
    }

    private static boolean stale(LevelState s, Instant staleBefore) {
        Instant heard = s.lastSeen() != null ? s.lastSeen() : s.observedAt();
        return heard == null || heard.isBefore(staleBefore);
    }

    private Occupancy occupancy(OpeningStatus opening, boolean realtime, Integer free, int capacity) {
        if (opening == OpeningStatus.CLOSED) {
            return Occupancy.CLOSED;
        }
        if (!realtime || free == null) {
            return Occupancy.UNKNOWN;
        }
        if (free == 0) {
            return Occupancy.FULL;
        }
        return free <= capacity * settings.almostFullRatio() ? Occupancy.ALMOST_FULL : Occupancy.AVAILABLE;
    }

    private static Trend trendOf(int delta) {
        return delta < 0 ? Trend.FILLING : delta > 0 ? Trend.EMPTYING : Trend.STABLE;
    }

    static int clamp(int value, int capacity) {
        return Math.max(0, Math.min(capacity, value));
    }
}
