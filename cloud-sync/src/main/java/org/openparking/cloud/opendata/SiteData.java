package org.openparking.cloud.opendata;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What an operator publishes about a lot: whether anything is public at all (opt-in), whether levels and
 * realtime counts are, and the static site data. Every field is checked here; a bad one is refused with its
 * name (400).
 *
 * @param published       nothing of the lot is public unless true
 * @param publishLevels   per-level availability is public too (otherwise only the lot's totals)
 * @param publishRealtime realtime counts are public (otherwise static data and opening status only)
 * @param name            the lot's public name
 * @param address         street address, free text (optional)
 * @param lat             WGS84 latitude
 * @param lon             WGS84 longitude
 * @param timeZone        IANA time zone the opening hours are in, e.g. Europe/Berlin
 * @param openingHours    OSM {@code opening_hours} (subset, see {@link OpeningHours}); null: not known
 * @param feeSummary      the fees in a sentence (optional)
 * @param heightLimitCm   the vehicle height limit in centimetres (optional)
 * @param spaces          designated spaces by type (STANDARD, COMPACT, DISABLED, EV, ...), as built
 */
public record SiteData(Boolean published, Boolean publishLevels, Boolean publishRealtime, String name, String address,
                       Double lat, Double lon, String timeZone, String openingHours, String feeSummary,
                       Integer heightLimitCm, Map<String, Integer> spaces) {
    /** Space types the formats know how to name. */
    public static final Set<String> SPACE_TYPES = Set.of("STANDARD", "COMPACT", "DISABLED", "EV", "FAMILY", "WOMEN");

    public SiteData {
        if (published == null) {
            throw new IllegalArgumentException("published is required (true or false)");
        }
        publishLevels = publishLevels == null || publishLevels;
        publishRealtime = publishRealtime == null || publishRealtime;
        name = text("name", name, 200, true);
        address = text("address", address, 300, false);
        if (lat == null || !(lat >= -90 && lat <= 90)) {
            throw new IllegalArgumentException("lat is required, between -90 and 90, was " + lat);
        }
        if (lon == null || !(lon >= -180 && lon <= 180)) {
            throw new IllegalArgumentException("lon is required, between -180 and 180, was " + lon);
        }
        timeZone = text("timeZone", timeZone, 64, true);
        try {
            ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("timeZone is not an IANA time zone such as Europe/Berlin: " + timeZone);
        }
        openingHours = text("openingHours", openingHours, 255, false);
        if (openingHours != null) {
            OpeningHours.parse(openingHours);
        }
        feeSummary = text("feeSummary", feeSummary, 500, false);
        if (heightLimitCm != null && (heightLimitCm < 100 || heightLimitCm > 1000)) {
            throw new IllegalArgumentException("heightLimitCm must be between 100 and 1000, was " + heightLimitCm);
        }
        Map<String, Integer> checked = new TreeMap<>();
        if (spaces != null) {
            spaces.forEach((type, count) -> {
                if (!SPACE_TYPES.contains(type)) {
                    throw new IllegalArgumentException("spaces: unknown space type " + type + ", expected one of "
                            + new java.util.TreeSet<>(SPACE_TYPES));
                }
                if (count == null || count < 0 || count > 100_000) {
                    throw new IllegalArgumentException("spaces." + type + " must be between 0 and 100000, was "
                            + count);
                }
                checked.put(type, count);
            });
        }
        spaces = Map.copyOf(checked);
    }

    /** The parsed opening hours, or null when none are given. */
    public OpeningHours hours() {
        return openingHours == null ? null : OpeningHours.parse(openingHours);
    }

    public ZoneId zone() {
        return ZoneId.of(timeZone);
    }

    private static String text(String field, String value, int max, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw new IllegalArgumentException(field + " is required");
            }
            return null;
        }
        String v = value.strip();
        if (v.length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters");
        }
        if (v.chars().anyMatch(ch -> ch < 0x20)) {
            throw new IllegalArgumentException(field + " contains control characters");
        }
        return v;
    }
}
