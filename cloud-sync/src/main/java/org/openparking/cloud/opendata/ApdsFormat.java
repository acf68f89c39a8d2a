package org.openparking.cloud.opendata;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.openparking.cloud.opendata.PublicAvailability.Lot;

/**
 * APDS (the Alliance for Parking Data Standards model, parkingdata/spec): each lot is a {@code Place}
 * (a VersionedIdentity: {@code id}, {@code version} = the site data's version; name as a MultilingualString,
 * layer 0, type {@code parkingPlace}, hierarchyElementRecord, timeZone), and its occupancy is the spec's
 * {@code Supply}, latest {@code DemandType} (count of occupied spaces, percentage, recordDateTime) and
 * {@code OccupancyLevel}. A stale or closed place has no DemandType (no count is claimed) and says
 * {@code stale} or {@code closed} in its OccupancyLevel.
 */
final class ApdsFormat {
    private ApdsFormat() {
    }

    record Places(List<Place> data) {
    }

    record Text(String language, String string) {
    }

    record ElementRecord(Instant creationTime) {
    }

    record Place(String id, long version, List<Text> name, int layer, String type, ElementRecord hierarchyElementRecord,
                 String timeZone) {
    }

    record Reference(String id, long version) {
    }

    record Supply(String supplyViewType, int supplyQuantity) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Demand(int count, String occupancyCalculation, double percentage, Instant recordDateTime) {
    }

    record CodeListEntry(String entryDefinedValue) {
    }

    record OccupancyLevel(CodeListEntry occupancyIndicator) {
    }

    /** A place's occupancy: the APDS Supply, DemandType and OccupancyLevel of one Place. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Occupancy(Reference place, List<Supply> supply, Demand demand, OccupancyLevel occupancyLevel,
                     String openingStatus) {
    }

    static Places places(List<Lot> lots) {
        return new Places(lots.stream().map(ApdsFormat::place).toList());
    }

    static Place place(Lot lot) {
        return new Place(lot.lotId(), lot.siteVersion(), List.of(new Text("en", lot.name())), 0, "parkingPlace",
                new ElementRecord(seconds(lot.siteUpdatedAt())), lot.timeZone());
    }

    static Occupancy occupancy(Lot lot) {
        Demand demand = null;
        String level;
        if (lot.openingStatus() == PublicAvailability.OpeningStatus.CLOSED) {
            level = "closed";
        } else if (lot.stale()) {
            level = "stale";
        } else if (!lot.realtime()) {
            level = "unknown";
        } else {
            int occupied = lot.capacity() - lot.free();
            double percentage = lot.capacity() == 0 ? 100.0
                    : Math.round(occupied * 1000.0 / lot.capacity()) / 10.0;
            demand = new Demand(occupied, "counted", percentage, seconds(lot.observedAt()));
            level = switch (lot.occupancy()) {
                case FULL -> "full";
                case ALMOST_FULL -> "almostFull";
                default -> "spacesAvailable";
            };
        }
        return new Occupancy(new Reference(lot.lotId(), lot.siteVersion()),
                List.of(new Supply("spaceView", lot.capacity())), demand,
                new OccupancyLevel(new CodeListEntry(level)), lot.openingStatus().name());
    }

    private static Instant seconds(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS);
    }
}
