package org.openparking.cloud.opendata;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.openparking.cloud.opendata.PublicAvailability.Lot;

/**
 * The DATEX II parking "light" profile: one {@code parkingSite} per lot with numberOfSpaces, availableSpaces,
 * isOpenNow, occupancyTrend and lastUpdate. No public copy of an official XSD for this profile could be read
 * here, so the document follows {@code open-data/datex2-parking-light.xsd}, written from the profile's field
 * list (docs/open-data.md says so). Stale: availableSpaces absent, status {@code unknown},
 * {@code realtimeDataStale} true. Closed: isOpenNow false, status {@code closed}, 0 available.
 */
final class DatexLightFormat {
    static final String NAMESPACE = "urn:openparking:datex2-parking-light:1";

    private DatexLightFormat() {
    }

    static byte[] of(List<Lot> lots, Instant publicationTime) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            w.writeStartElement("parkingPublicationLight");
            w.writeDefaultNamespace(NAMESPACE);
            w.writeAttribute("lang", "en");
            element(w, "publicationTime", time(publicationTime));
            for (Lot lot : lots) {
                w.writeStartElement("parkingSite");
                w.writeAttribute("id", lot.lotId());
                w.writeAttribute("version", Long.toString(lot.siteVersion()));
                element(w, "name", lot.name());
                w.writeStartElement("location");
                element(w, "latitude", java.math.BigDecimal.valueOf(lot.lat()).toPlainString());
                element(w, "longitude", java.math.BigDecimal.valueOf(lot.lon()).toPlainString());
                w.writeEndElement();
                element(w, "numberOfSpaces", Integer.toString(lot.capacity()));
                if (lot.realtime()) {
                    element(w, "availableSpaces", Integer.toString(lot.free()));
                }
                if (lot.openingStatus() != PublicAvailability.OpeningStatus.UNKNOWN) {
                    element(w, "isOpenNow", Boolean.toString(lot.openingStatus() == PublicAvailability.OpeningStatus.OPEN));
                }
                element(w, "parkingSiteStatus", status(lot.occupancy()));
                element(w, "occupancyTrend", trend(lot.trend()));
                if (lot.observedAt() != null) {
                    element(w, "lastUpdate", time(lot.observedAt()));
                }
                element(w, "realtimeDataStale", Boolean.toString(lot.stale()));
                w.writeEndElement();
            }
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the DATEX II document", e);
        }
        return out.toByteArray();
    }

    private static void element(XMLStreamWriter w, String name, String text) throws XMLStreamException {
        w.writeStartElement(name);
        w.writeCharacters(text);
        w.writeEndElement();
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** DATEX II ParkingSiteStatusEnum values. */
    private static String status(PublicAvailability.Occupancy o) {
        return switch (o) {
            case AVAILABLE -> "spacesAvailable";
            case ALMOST_FULL -> "almostFull";
            case FULL -> "full";
            case CLOSED -> "closed";
            case UNKNOWN -> "unknown";
        };
    }

    /** DATEX II ParkingOccupancyTrendEnum: the trend of occupancy, the opposite of free spaces. */
    private static String trend(PublicAvailability.Trend t) {
        return switch (t) {
            case FILLING -> "increasing";
            case EMPTYING -> "decreasing";
            case STABLE -> "stable";
            case UNKNOWN -> "unknown";
        };
    }
}
