package org.openparking.edge.realtime;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.openparking.edge.EdgeApplication;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.firmware.HardwareConfig;
import org.openparking.firmware.SimulatedLevel;
import org.openparking.protocol.Json;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/**
 * A real edge controller for the real-time tests: simulated hardware, a real SQLite file in a temp
 * directory, a real HTTP server on a free port, optionally MQTT on a real broker.
 */
final class LiveEdge implements AutoCloseable {
    static final Tariff TARIFF = new Tariff(1, "EUR", 15, 60, 300, 2400, 5000);

    private final Path dir;
    private final EdgeApplication app;
    private final HttpClient http = HttpClient.newHttpClient();

    private LiveEdge(Path dir, EdgeSettings settings) {
        this.dir = dir;
        this.app = EdgeApplication.start(settings, Config.just(ConfigSources.create(
                Map.of("port", "0", "host", "127.0.0.1", "max-payload-size", "65536"))), Clock.systemUTC());
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

    static LiveEdge start(Options o) {
        try {
            Path dir = Files.createTempDirectory("edge-realtime");
            return new LiveEdge(dir, settings(dir, o));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EdgeSettings settings(Path dir, Options o) {
        List<EdgeSettings.Spot> spots = EdgeSettings.spotsFromCapacity(o.capacity());
        List<HardwareConfig.SpotWiring> wiring = new ArrayList<>();
        if (o.mode() == EdgeSettings.OccupancyMode.SENSORS) {
            spots.forEach(s -> wiring.add(new HardwareConfig.SpotWiring(s.id(), -1)));
        }
        List<HardwareConfig.LaneWiring> lanes = List.of(
                new HardwareConfig.LaneWiring("in-1", -1, -1, -1, -1, -1, -1),
                new HardwareConfig.LaneWiring("out-1", -1, -1, -1, -1, -1, -1));
        HardwareConfig hardware = new HardwareConfig(HardwareConfig.Mode.SIMULATED, o.debounce(),
                Duration.ofMillis(100), lanes, wiring, null);
        return new EdgeSettings(o.lotId(), "L0", dir.resolve("edge.db").toString(), hardware, o.mode(),
                List.of(new EdgeSettings.Lane("in-1", EdgeSettings.Direction.ENTRY),
                        new EdgeSettings.Lane("out-1", EdgeSettings.Direction.EXIT)),
                spots, TARIFF, "test-ticket-secret-0123456789", Duration.ofSeconds(30),
                new EdgeSettings.Payments(1500, Duration.ofMillis(300), Duration.ofMinutes(15)), o.mqtt(), "", null);
    }

    EdgeApplication app() {
        return app;
    }

    SimulatedLevel sim() {
        return app.hardware().simulator().orElseThrow();
    }

    String root() {
        return "http://127.0.0.1:" + app.port();
    }

    String base() {
        return root() + "/api/v1";
    }

    Response get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** A path outside the API (the console). The body is kept as text. */
    Response getRoot(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(root() + path)).GET()
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), null, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Sets a spot through the simulator API, as a test rig or the console would. */
    void spot(String spotId, boolean occupied) {
        Response r = post("/simulator/spots/" + spotId, "{\"occupied\":" + occupied + "}");
        if (r.status() != 202) {
            throw new AssertionError("simulator refused: " + r);
        }
    }

    /** The admitted car drives through the entry lane's barrier; returns when the lane is idle again. */
    void passEntry() {
        await().atMost(Duration.ofSeconds(10)).until(() -> phase("in-1").equals("GATE_OPEN"));
        sim().setSafetyLoop("in-1", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> phase("in-1").equals("VEHICLE_PASSING"));
        sim().setSafetyLoop("in-1", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> phase("in-1").equals("IDLE"));
    }

    String phase(String laneId) {
        for (JsonNode lane : get("/lanes").body()) {
            if (lane.get("laneId").asText().equals(laneId)) {
                return lane.get("phase").asText();
            }
        }
        throw new AssertionError("no lane " + laneId);
    }

    long free() {
        return get("/availability").body().get("free").asLong();
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? null : Json.mapper().readTree(r.body());
            return new Response(r.statusCode(), body, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Response(int status, JsonNode body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + raw.body();
        }
    }
}
