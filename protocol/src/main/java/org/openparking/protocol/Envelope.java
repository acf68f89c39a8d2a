package org.openparking.protocol;

import java.time.Instant;
import java.util.UUID;

/**
 * What travels on the wire (ARCHITECTURE.md, Envelope). {@code id} is unique per message and is
 * the AMQP {@code message_id}; {@code seq} increases per sender (per edge for edge events), so
 * consumers can detect gaps and order state.
 */
public record Envelope(String id, String type, int schemaVersion, String edgeId, String lotId, String levelId,
                       long seq, Instant occurredAt, Message payload) {

    /** The schema version this build writes, and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    public Envelope {
        Checks.requireId(id, "id");
        Checks.requireNonNull(payload, "payload");
        if (type == null) {
            type = payload.type();
        } else if (!type.equals(payload.type())) {
            throw new IllegalArgumentException("type " + type + " does not match payload " + payload.type());
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be at least 1, was " + schemaVersion);
        }
        Checks.requireId(edgeId, "edgeId");
        Checks.requireId(lotId, "lotId");
        Checks.requireNonNull(levelId, "levelId");
        Checks.requireMaxLength(levelId, "levelId");
        Checks.requireNonNegative(seq, "seq");
        Checks.requireNonNull(occurredAt, "occurredAt");
    }

    /** A new envelope with a random id, the current schema version and the payload's type. */
    public static Envelope of(String edgeId, String lotId, String levelId, long seq, Instant occurredAt,
                              Message payload) {
        return new Envelope(UUID.randomUUID().toString(), payload.type(), SCHEMA_VERSION, edgeId, lotId, levelId,
                seq, occurredAt, payload);
    }

    /** The edge id for a lot and level, {@code {lotId}.{levelId}}: one edge controller per level. */
    public static String edgeId(String lotId, String levelId) {
        return lotId + "." + levelId;
    }
}
