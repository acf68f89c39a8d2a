package org.openparking.firmware;

import java.time.Instant;
import java.util.Objects;

/**
 * One plate read at a lane, as a camera or ALPR engine reported it.
 *
 * @param plate          the text read, as reported (normalise with {@code Plates} before comparing); null when
 *                       the camera saw a vehicle but read no plate
 * @param confidence     the engine's score, 0..1
 * @param threshold      the score at or above which this reader's reads are trusted: carried in every read, so
 *                       the lane decides with the threshold of the reader that produced it
 * @param vehiclePresent whether the camera saw a vehicle at all; null when the reader does not say
 * @param source         which reader produced it (e.g. {@code simulated}, {@code platerecognizer:cam-1})
 */
public record PlateRead(String laneId, String plate, double confidence, double threshold, Instant at,
                        Boolean vehiclePresent, String source) {
    public PlateRead {
        Objects.requireNonNull(laneId, "laneId");
        Objects.requireNonNull(at, "at");
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be within 0..1, was " + confidence);
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be within 0..1, was " + threshold);
        }
        if (plate != null && plate.isBlank()) {
            plate = null;
        }
    }

    /** A plate was read and its score reaches the reader's threshold. */
    public boolean confident() {
        return plate != null && confidence >= threshold;
    }

    /** The camera said no vehicle was there (a loop tripped by something else). */
    public boolean noVehicle() {
        return Boolean.FALSE.equals(vehiclePresent);
    }
}
