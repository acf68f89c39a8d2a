package org.openparking.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.openparking.protocol.Json;

/**
 * The real adapter: a lane camera running Plate Recognizer Stream (or a Snapshot integration) posts its webhook
 * JSON to the edge, which hands the body here. The format (docs/lanes.md, "Plate readers", cites Plate
 * Recognizer's "Webhooks and Outputs" guide) is
 * <pre>
 * {"hook": {"id": "camera-1", "event": "recognition", ...},
 *  "data": {"camera_id": "camera-1", "timestamp": "2021-09-29T05:56:13.606935Z",
 *           "results": [{"plate": "9jub11", "score": 0.839, "dscore": 0.441,
 *                        "vehicle": {"type": "Big Truck", "score": 0.267}, ...}]}}
 * </pre>
 * The best-scoring result is the read; its {@code score} is the confidence and the threshold is this reader's
 * configured one. {@code vehicle.score > 0} says a vehicle was seen; no results at all is a read of nothing
 * (no vehicle). A body that is not this format is refused with an {@link IllegalArgumentException} naming what
 * is wrong, and nothing is delivered.
 */
public final class PlateRecognizerPush implements PlateReader {
    private final String laneId;
    private final double threshold;
    private final Clock clock;
    private final List<Consumer<PlateRead>> listeners = new CopyOnWriteArrayList<>();

    public PlateRecognizerPush(String laneId, double threshold, Clock clock) {
        this.laneId = Objects.requireNonNull(laneId, "laneId");
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be within 0..1, was " + threshold);
        }
        this.threshold = threshold;
        this.clock = clock;
    }

    @Override
    public String laneId() {
        return laneId;
    }

    @Override
    public void onRead(Consumer<PlateRead> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Parses one webhook body and delivers its read; returns it. */
    public PlateRead accept(byte[] body) {
        PlateRead read = parse(laneId, threshold, body, clock.instant());
        for (Consumer<PlateRead> l : listeners) {
            l.accept(read);
        }
        return read;
    }

    /** The read in one webhook body; {@code receivedAt} stands in for a missing timestamp. */
    public static PlateRead parse(String laneId, double threshold, byte[] body, Instant receivedAt) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("plate read is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("plate read is not a JSON object");
        }
        JsonNode data = root.path("data");
        if (!data.isObject()) {
            throw new IllegalArgumentException("plate read has no data object (Plate Recognizer webhook format)");
        }
        JsonNode results = data.path("results");
        if (!results.isArray()) {
            throw new IllegalArgumentException("plate read data has no results array");
        }
        Instant at = receivedAt;
        if (data.path("timestamp").isTextual()) {
            try {
                at = Instant.parse(data.path("timestamp").asText());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("data.timestamp is not an ISO-8601 instant: "
                        + data.path("timestamp").asText());
            }
        }
        String source = "platerecognizer:" + data.path("camera_id").asText(root.path("hook").path("id").asText("?"));
        JsonNode best = null;
        for (JsonNode r : results) {
            if (!r.isObject() || !r.path("score").isNumber()) {
                throw new IllegalArgumentException("every result needs a numeric score");
            }
            if (best == null || r.path("score").asDouble() > best.path("score").asDouble()) {
                best = r;
            }
        }
        if (best == null) {
            return new PlateRead(laneId, null, 0, threshold, at, false, source);
        }
        double score = best.path("score").asDouble();
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("results[].score must be within 0..1, was " + score);
        }
        String plate = best.path("plate").isTextual() ? best.path("plate").asText() : null;
        JsonNode vehicle = best.path("vehicle");
        Boolean present = vehicle.path("score").isNumber() ? vehicle.path("score").asDouble() > 0 : null;
        return new PlateRead(laneId, plate, score, threshold, at, present, source);
    }
}
