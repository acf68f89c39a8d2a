package org.openparking.cloud.opendata;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openparking.cloud.fleet.FleetViews;
import org.openparking.protocol.Tariff;

/**
 * APDS Sessions and Rates (parkingdata/spec {@code session/Session.yaml}, {@code session/Segment.yaml},
 * {@code rate/RateTable.yaml}, {@code rate/RateLineCollection.yaml}, {@code rate/RateLine.yaml}), written from
 * the fleet's sessions and tariffs for the lot's own operators (behind the gateway). Each object carries
 * {@code id} and {@code version}. What our data does not hold, and what the stored spec cannot express, is
 * in docs/open-data.md; in short:
 * <ul>
 *   <li>a Session's version is 1 while it is open and 2 once it is closed (the only change its content shows);</li>
 *   <li>each Session has one Segment, whose {@code assignedRight} references the session's pay-on-exit right,
 *       {@code <sessionId>:pay-on-exit}; there are no AssignedRight objects to serve yet (issue 19);</li>
 *   <li>the credential is the plate read at entry ({@code LicensePlate}) or, without one, the entry ticket;</li>
 *   <li>a tariff is one RateTable (version = tariff version): a free grace collection, then an incrementing
 *       rate per started period capped per 24 hours from entry; the lost-ticket fee has no APDS rate condition
 *       and stays in {@code GET /api/v1/lots/{lotId}/tariff}.</li>
 * </ul>
 */
final class ApdsRecords {
    private ApdsRecords() {
    }

    record Ms(String language, String string) {
        static List<Ms> en(String s) {
            return List.of(new Ms("en", s));
        }
    }

    record VersionedReference(String className, String id, long version) {
    }

    record Reference(String className, String id) {
    }

    record Credential(Reference identifier, List<Ms> issuer) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Segment(String id, long version, Instant actualStart, Instant actualEnd,
                   VersionedReference assignedRight, List<String> validationType, Reference validationValue) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Session(String id, long version, Instant actualStart, Instant actualEnd, VersionedReference initiator,
                   List<Credential> identifiedCredentials, List<Segment> segments,
                   VersionedReference hierachyElement) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RateLine(String description, String rateLineType, int sequence, BigDecimal value,
                    String incrementPeriod) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RateLineCollection(String applicableCurrency, int collectionSequence, String minTime, String maxTime,
                              BigDecimal maxValueCollection, boolean relativeTimes, String resetTime,
                              boolean taxIncluded, Instant validStart, List<RateLine> rateLines) {
    }

    record RateTable(String id, long version, List<Ms> rateTableName, Instant validityStart, boolean validation,
                     List<String> activeTimes, String availability, List<RateLineCollection> rateLineCollections) {
    }

    /** A list answer: APDS lists carry their objects in {@code data}. */
    record Data<T>(List<T> data) {
    }

    /**
     * One session as an APDS Session. {@code placeVersions} maps lot ids to their Place version (site data);
     * a lot without site data is not a Place, and the session then has no {@code hierachyElement}.
     */
    static Session session(FleetViews.Session s, Map<String, Long> placeVersions) {
        long version = s.exitTime() == null ? 1 : 2;
        boolean plate = s.plate() != null && !s.plate().isBlank();
        Reference credential = plate ? new Reference("LicensePlate", s.plate())
                : new Reference("Ticket", s.sessionId());
        List<Ms> issuer = plate ? Ms.en("vehicle registration, read at entry lane " + s.entryLane())
                : Ms.en("entry ticket of lot " + s.lotId());
        Segment segment = new Segment(s.sessionId() + "-1", version, s.entryTime(), s.exitTime(),
                new VersionedReference("AssignedRight", s.sessionId() + ":pay-on-exit", 1),
                List.of(plate ? "licensePlate" : "ticket"), credential);
        Long place = placeVersions.get(s.lotId());
        return new Session(s.sessionId(), version, s.entryTime(), s.exitTime(),
                new VersionedReference("EdgeController", s.edgeId(), 1), List.of(new Credential(credential, issuer)),
                List.of(segment), place == null ? null : new VersionedReference("Place", s.lotId(), place));
    }

    /** A lot's tariff as an APDS RateTable, valid from when it was issued. */
    static RateTable rateTable(String lotId, Tariff t, Instant issuedAt) {
        List<RateLineCollection> collections = new ArrayList<>();
        int sequence = 1;
        String grace = "PT" + t.graceMinutes() + "M";
        if (t.graceMinutes() > 0) {
            collections.add(new RateLineCollection(t.currency(), sequence++, "PT0S", grace, null, true, "00:00:00",
                    true, issuedAt, List.of(new RateLine("stays up to " + t.graceMinutes() + " minutes are free",
                    "flatRate", 1, BigDecimal.ZERO, null))));
        }
        collections.add(new RateLineCollection(t.currency(), sequence, grace, "P1D",
                t.dailyCap() == 0 ? null : major(t.dailyCap(), t.currency()), true, "00:00:00", true, issuedAt,
                List.of(new RateLine("every started " + t.periodMinutes() + " minutes from entry"
                        + (t.dailyCap() == 0 ? "" : ", at most the collection's maximum per started 24 hours"),
                        "incrementingRate", 1, major(t.pricePerPeriod(), t.currency()), "PT" + t.periodMinutes() + "M"))));
        return new RateTable(lotId + "-tariff", t.version(), Ms.en("Tariff of lot " + lotId), issuedAt, false,
                List.of("P1D"), "public", collections);
    }

    /** Minor units (cents) as the major-unit amount APDS values are in, by the currency's fraction digits. */
    private static BigDecimal major(long minor, String currency) {
        int digits = java.util.Currency.getInstance(currency).getDefaultFractionDigits();
        return BigDecimal.valueOf(minor, Math.max(0, digits));
    }
}
