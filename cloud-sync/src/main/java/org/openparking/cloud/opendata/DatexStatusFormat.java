package org.openparking.cloud.opendata;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.openparking.cloud.opendata.PublicAvailability.Lot;
import org.openparking.cloud.opendata.PublicAvailability.OpeningStatus;

/**
 * DATEX II v3 {@code ParkingStatusPublication}: a {@code d2:payload} of that type with one
 * {@code prk:parkingRecordStatus} ({@code prk:ParkingSiteStatus}) per lot that has levels, each with
 * {@code parkingRecordReference} (the lot id and its site version), {@code parkingStatusOriginTime} (when the
 * counts were taken), {@code parkingOccupancy} and {@code parkingSiteOpeningStatus}.
 * <ul>
 *   <li>Closed (hours or operator): opening status {@code closed} and 0 vacant, never {@code full}.</li>
 *   <li>Stale (realtime withheld): an empty {@code parkingOccupancy} and a {@code parkingStatusDescription}
 *       saying why; no site status.</li>
 *   <li>Unknown opening: the (optional) opening status is left out.</li>
 * </ul>
 * No public copy of the official v3 XSD could be read from here (docs/open-data.md), so the document is
 * checked against a subset written from the specification, test resource {@code open-data/datex2/v3/}.
 */
final class DatexStatusFormat {
    static final String D2 = "http://datex2.eu/schema/3/d2Payload";
    static final String COM = "http://datex2.eu/schema/3/common";
    static final String PRK = "http://datex2.eu/schema/3/parking";
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    private DatexStatusFormat() {
    }

    static byte[] of(List<Lot> lots, Instant publicationTime) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            w.setPrefix("d2", D2);
            w.setPrefix("com", COM);
            w.setPrefix("prk", PRK);
            w.setPrefix("xsi", XSI);
            w.writeStartElement(D2, "payload");
            w.writeNamespace("d2", D2);
            w.writeNamespace("com", COM);
            w.writeNamespace("prk", PRK);
            w.writeNamespace("xsi", XSI);
            w.writeAttribute(XSI, "type", "prk:ParkingStatusPublication");
            w.writeAttribute("lang", "en");
            w.writeAttribute("modelBaseVersion", "3");
            element(w, COM, "publicationTime", time(publicationTime));
            w.writeStartElement(COM, "publicationCreator");
            element(w, COM, "country", "de");
            element(w, COM, "nationalIdentifier", "openparking");
            w.writeEndElement();
            for (Lot lot : lots) {
                if (lot.observedAt() != null) {
                    record(w, lot);
                }
            }
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the DATEX II v3 document", e);
        }
        return out.toByteArray();
    }

    private static void record(XMLStreamWriter w, Lot lot) throws XMLStreamException {
        boolean closed = lot.openingStatus() == OpeningStatus.CLOSED;
        w.writeStartElement(PRK, "parkingRecordStatus");
        w.writeAttribute(XSI, "type", "prk:ParkingSiteStatus");
        w.writeEmptyElement(PRK, "parkingRecordReference");
        w.writeAttribute("targetClass", "prk:ParkingRecord");
        w.writeAttribute("id", lot.lotId());
        w.writeAttribute("version", Long.toString(lot.siteVersion()));
        element(w, PRK, "parkingStatusOriginTime", time(lot.observedAt()));
        if (!lot.realtime() && !closed) {
            w.writeStartElement(PRK, "parkingStatusDescription");
            w.writeStartElement(COM, "values");
            w.writeStartElement(COM, "value");
            w.writeAttribute("lang", "en");
            w.writeCharacters(lot.stale() ? "no live data: " + lot.staleReason() : "live counts are not published");
            w.writeEndElement();
            w.writeEndElement();
            w.writeEndElement();
        }
        w.writeStartElement(PRK, "parkingOccupancy");
        if (closed) {
            element(w, PRK, "parkingNumberOfVacantSpaces", "0");
        } else if (lot.realtime()) {
            int occupied = lot.capacity() - lot.free();
            element(w, PRK, "parkingNumberOfSpacesOverride", Integer.toString(lot.capacity()));
            element(w, PRK, "parkingNumberOfVacantSpaces", Integer.toString(lot.free()));
            element(w, PRK, "parkingNumberOfOccupiedSpaces", Integer.toString(occupied));
            if (lot.capacity() > 0) {
                element(w, PRK, "parkingOccupancy", BigDecimal.valueOf(occupied * 100L)
                        .divide(BigDecimal.valueOf(lot.capacity()), 1, RoundingMode.HALF_UP).toPlainString());
            }
            String trend = trend(lot.trend());
            if (trend != null) {
                element(w, PRK, "parkingOccupancyTrend", trend);
            }
        }
        w.writeEndElement();
        String site = siteStatus(lot.occupancy());
        if (site != null) {
            element(w, PRK, "parkingSiteStatus", site);
        }
        if (lot.openingStatus() != OpeningStatus.UNKNOWN) {
            element(w, PRK, "parkingSiteOpeningStatus", closed ? "closed" : "open");
        }
        w.writeEndElement();
    }

    private static void element(XMLStreamWriter w, String ns, String name, String text) throws XMLStreamException {
        w.writeStartElement(ns, name);
        w.writeCharacters(text);
        w.writeEndElement();
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** ParkingSiteStatusEnum, only while counts are live; closed is said by the opening status. */
    private static String siteStatus(PublicAvailability.Occupancy o) {
        return switch (o) {
            case AVAILABLE -> "spacesAvailable";
            case ALMOST_FULL -> "almostFull";
            case FULL -> "full";
            case CLOSED, UNKNOWN -> null;
        };
    }

    /** ParkingOccupancyTrendEnum: occupancy's trend, the opposite of free spaces'; left out when unknown. */
    private static String trend(PublicAvailability.Trend t) {
        return switch (t) {
            case FILLING -> "increasing";
            case EMPTYING -> "decreasing";
            case STABLE -> "stable";
            case UNKNOWN -> null;
        };
    }
}
