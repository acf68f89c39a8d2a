package org.openparking.protocol;

/**
 * Sessions and sensors disagreed, or a count had to be clamped into [0, capacity].
 *
 * @param reason   e.g. {@code CLAMPED_LOW}, {@code CLAMPED_HIGH}, {@code SENSOR_SESSION_MISMATCH}
 * @param expected what the level's own bookkeeping expected
 * @param observed what was observed or would have been counted before clamping
 */
public record DriftRecorded(VehicleType vehicleType, String reason, int expected, int observed)
        implements Message.Event {
    public DriftRecorded {
        Checks.requireNonNull(vehicleType, "vehicleType");
        Checks.requireText(reason, "reason");
    }
}
