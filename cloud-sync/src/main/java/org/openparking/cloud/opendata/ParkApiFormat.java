package org.openparking.cloud.opendata;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.openparking.cloud.opendata.PublicAvailability.Count;
import org.openparking.cloud.opendata.PublicAvailability.Lot;

/**
 * ParkAPI v3 parking sites, in the combined static + realtime shape of park-api-v3's model and
 * parkapi-sources' {@code CombinedParkingSiteInput} (field names from there): what a ParkAPI instance or
 * any consumer of it imports. A stale lot has {@code has_realtime_data} true but no {@code realtime_*}
 * counts, as ParkAPI itself withholds old realtime data; a closed lot is {@code realtime_opening_status: CLOSED}
 * with 0 free.
 */
final class ParkApiFormat {
    private ParkApiFormat() {
    }

    /** The list answer: {@code {"items": [...]}}. */
    record Sites(List<Site> items) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Site(String uid, String name, String purpose, String type, String address, String feeDescription,
                Integer maxHeight, String openingHours, boolean hasRealtimeData, Instant staticDataUpdatedAt,
                BigDecimal lat, BigDecimal lon, int capacity, Integer capacityDisabled, Integer capacityCharging,
                Integer capacityFamily, Integer capacityWoman, Instant realtimeDataUpdatedAt,
                String realtimeOpeningStatus, Integer realtimeFreeCapacity, Integer realtimeFreeCapacityDisabled,
                Integer realtimeFreeCapacityCharging) {
    }

    static Sites of(List<Lot> lots) {
        return new Sites(lots.stream().map(ParkApiFormat::site).toList());
    }

    private static Site site(Lot lot) {
        boolean realtime = lot.realtime();
        return new Site(lot.lotId(), lot.name(), "CAR", "CAR_PARK", lot.address(), lot.feeSummary(),
                lot.heightLimitCm(), lot.openingHours(), realtime || lot.stale(), seconds(lot.siteUpdatedAt()),
                degrees(lot.lat()), degrees(lot.lon()), lot.capacity(), capacity(lot, "DISABLED"),
                capacity(lot, "EV"), lot.spaces().get("FAMILY"), lot.spaces().get("WOMEN"),
                realtime ? seconds(lot.observedAt()) : null,
                lot.openingStatus() == PublicAvailability.OpeningStatus.UNKNOWN ? "UNKNOWN" : lot.openingStatus().name(),
                realtime ? lot.free() : null, realtime ? free(lot, "DISABLED") : null,
                realtime ? free(lot, "EV") : null);
    }

    /** Counted capacity of a type where the fleet counts it, else the operator's figure. */
    private static Integer capacity(Lot lot, String type) {
        Count c = lot.byType().get(type);
        return c != null ? Integer.valueOf(c.capacity()) : lot.spaces().get(type);
    }

    private static Integer free(Lot lot, String type) {
        Count c = lot.byType().get(type);
        return c == null ? null : c.free();
    }

    private static BigDecimal degrees(double value) {
        return BigDecimal.valueOf(value).setScale(7, RoundingMode.HALF_UP);
    }

    /** ParkAPI keeps whole seconds. */
    private static Instant seconds(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS);
    }
}
