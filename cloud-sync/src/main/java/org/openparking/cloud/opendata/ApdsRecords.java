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
 *   <li>each Session has one Segment, whose {@code assignedRight} references the permit or reservation it
 *       entered with ({@code <lotId>:permit:<id>}, served by {@code /apds/lots/{lotId}/rights}), or else the
 *       session's pay-on-exit right, {@code <sessionId>:pay-on-exit};</li>
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

    /** An APDS PlannedUse: one window in which a right may be used, with the credentials that may use it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PlannedUse(Instant startTime, Instant endTime, String issueMethod, List<Credential> credentialsAssigned) {
    }

    /**
     * The right's holder. {@code right/RightHolder.yaml} is referenced by AssignedRight but missing from the spec;
     * we write the holder as the credentials it presents (docs/open-data.md).
     */
    record RightHolder(List<Credential> credentials) {
    }

    /** An APDS AssignedRight: a permit or a reservation of the lot, as its operators hold it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AssignedRight(String id, long version, RightHolder rightHolder, VersionedReference rightSpecification,
                         Instant expiry, Reference assignedRightIssuer, String issueMethod,
                         List<PlannedUse> plannedUses) {
    }

    /** The AssignedRight id of a permit or reservation: ids are unique per lot only, so the lot is part of it. */
    static String rightId(String lotId, String kind, String refId) {
        return lotId + ":" + kind + ":" + refId;
    }

    /** A permit as an AssignedRight: its plate and card are its credentials; a pool names its specification. */
    static AssignedRight permit(String lotId, String permitId, String plate, String card, Instant validFrom,
                                Instant validUntil, String poolId, long version) {
        List<Credential> credentials = new ArrayList<>();
        if (plate != null) {
            credentials.add(new Credential(new Reference("LicensePlate", plate),
                    Ms.en("vehicle registration on permit " + permitId)));
        }
        if (card != null) {
            credentials.add(new Credential(new Reference("AccessCard", card), Ms.en("access card of lot " + lotId)));
        }
        List<PlannedUse> uses = validFrom == null ? null
                : List.of(new PlannedUse(validFrom, validUntil, "permit", credentials));
        return new AssignedRight(rightId(lotId, "permit", permitId), version, new RightHolder(credentials),
                new VersionedReference("RightSpecification", poolId == null ? lotId + ":permit"
                        : lotId + ":pool:" + poolId, 1), validUntil, new Reference("Lot", lotId), "permit", uses);
    }

    /** A reservation as an AssignedRight: one planned use, its window; its code (and plate) the credentials. */
    static AssignedRight reservation(String lotId, String reservationId, String plate, Instant from, Instant until,
                                     boolean prepaid, long version) {
        List<Credential> credentials = new ArrayList<>();
        credentials.add(new Credential(new Reference("ReservationCode", reservationId),
                Ms.en("signed reservation code (QR) of lot " + lotId)));
        if (plate != null) {
            credentials.add(new Credential(new Reference("LicensePlate", plate),
                    Ms.en("vehicle registration on reservation " + reservationId)));
        }
        return new AssignedRight(rightId(lotId, "reservation", reservationId), version, new RightHolder(credentials),
                new VersionedReference("RightSpecification", lotId + (prepaid ? ":prepaid-reservation"
                        : ":reservation"), 1), until, new Reference("Lot", lotId), "electronic",
                List.of(new PlannedUse(from, until, "electronic", credentials)));
    }

    /** A list answer: APDS lists carry their objects in {@code data}. */
    record Data<T>(List<T> data) {
    }

    /**
     * One session as an APDS Session. {@code placeVersions} maps lot ids to their Place version (site data);
     * a lot without site data is not a Place, and the session then has no {@code hierachyElement}.
     */
    static Session session(FleetViews.Session s, Map<String, Long> placeVersions) {
        return session(s, placeVersions, null);
    }

    /**
     * As above; {@code right} is the AssignedRight the session entered with (a permit or reservation), or null
     * for a walk-in, whose segment references its pay-on-exit right.
     */
    static Session session(FleetViews.Session s, Map<String, Long> placeVersions, VersionedReference right) {
        long version = s.exitTime() == null ? 1 : 2;
        boolean plate = s.plate() != null && !s.plate().isBlank();
        Reference credential = plate ? new Reference("LicensePlate", s.plate())
                : new Reference("Ticket", s.sessionId());
        List<Ms> issuer = plate ? Ms.en("vehicle registration, read at entry lane " + s.entryLane())
                : Ms.en("entry ticket of lot " + s.lotId());
        Segment segment = new Segment(s.sessionId() + "-1", version, s.entryTime(), s.exitTime(),
                right != null ? right : new VersionedReference("AssignedRight", s.sessionId() + ":pay-on-exit", 1),
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
