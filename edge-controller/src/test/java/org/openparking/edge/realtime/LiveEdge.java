package org.openparking.edge.realtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.openparking.edge.TestEdge;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.VehicleType;

/**
 * Edges for the real-time tests: a {@link TestEdge} on the real clock with a unique lot (so tests sharing
 * the local Mosquitto never see each other's topics), optionally with MQTT.
 */
final class LiveEdge {
    private LiveEdge() {
    }

    record Options(Map<VehicleType, Integer> capacity, EdgeSettings.OccupancyMode mode, Duration debounce,
                   String lotId, EdgeSettings.Mqtt mqtt) {
        static Options sensors(Map<VehicleType, Integer> capacity) {
            return new Options(capacity, EdgeSettings.OccupancyMode.SENSORS, Duration.ZERO,
                    "lot-" + UUID.randomUUID().toString().substring(0, 8),
                    new EdgeSettings.Mqtt("", "unused", "", "", Duration.ofSeconds(10)));
        }

        Options mode(EdgeSettings.OccupancyMode m) {
            return new Options(capacity, m, debounce, lotId, mqtt);
        }

        Options debounce(Duration d) {
            return new Options(capacity, mode, d, lotId, mqtt);
        }

        Options heartbeat(Duration h) {
            return new Options(capacity, mode, debounce, lotId, new EdgeSettings.Mqtt(mqtt.uri(), mqtt.clientId(),
                    mqtt.username(), mqtt.password(), h, mqtt.topicPrefix()));
        }

        Options mqtt(String uri, String prefix) {
            return new Options(capacity, mode, debounce, lotId, new EdgeSettings.Mqtt(uri, "edge-" + lotId, "", "",
                    mqtt.heartbeat(), prefix));
        }
    }

    static TestEdge start(Options o) {
        try {
            Path dir = Files.createTempDirectory("edge-realtime");
            return TestEdge.start(dir, settings(dir, o), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EdgeSettings settings(Path dir, Options o) {
        return TestEdge.settings(dir, o.lotId(), o.capacity(), o.mode(), o.debounce(), o.mqtt());
    }
}
