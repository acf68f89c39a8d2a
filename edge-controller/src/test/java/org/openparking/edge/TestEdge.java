package org.openparking.edge;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.firmware.HardwareConfig;
import org.openparking.platform.config.ParkingConfig;
import org.openparking.platform.jdbc.SqliteSettings;
import org.openparking.firmware.SimulatedLevel;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;
import org.openparking.testing.TestHttp.Response;

/**
 * A real edge controller for tests: simulated hardware, a real SQLite file in a temp directory, a real
 * HTTP server on a free port, and a clock the test moves.
 */
public final class TestEdge implements AutoCloseable {
    public static final Tariff TARIFF = new Tariff(1, "EUR", 15, 60, 300, 2400, 5000);
    public static final long FLOOR_LIMIT = 1500;

    private final Path dir;
    private final EdgeSettings settings;
    private final Clock clock;
    private final TestHttp http = TestHttp.create();
    private EdgeApplication app;

    private TestEdge(Path dir, EdgeSettings settings, Clock clock) {
        this.dir = dir;
        this.settings = settings;
        this.clock = clock;
        this.app = EdgeApplication.start(settings, serverConfig(), clock);
    }

    /** Two lanes (in-1 entry, out-1 exit), counting occupancy, the given spots per type. */
    public static TestEdge start(Map<VehicleType, Integer> capacity) {
        return start(capacity, EdgeSettings.OccupancyMode.COUNTING);
    }

    public static TestEdge start(Map<VehicleType, Integer> capacity, EdgeSettings.OccupancyMode mode) {
        return start(capacity, mode, EdgeSettings.Auth.open());
    }

    public static TestEdge start(Map<VehicleType, Integer> capacity, EdgeSettings.OccupancyMode mode,
                                 EdgeSettings.Auth auth) {
        try {
            Path dir = Files.createTempDirectory("edge-test");
            EdgeSettings s = settings(dir, capacity, mode);
            s = new EdgeSettings(s.lotId(), s.levelId(), s.db(), s.hardware(), s.occupancyMode(), s.lanes(),
                    s.spots(), s.tariff(), s.ticketSecret(), s.passageTimeout(), s.payments(), s.mqtt(), s.amqpUri(),
                    auth);
            return new TestEdge(dir, s, new MutableClock(Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The built-in {@code edge} database settings (busy timeout) on {@code file}. */
    public static SqliteSettings sqlite(Path file) {
        return SqliteSettings.create(ParkingConfig.defaults().get("edge")).withFile(file);
    }

    static EdgeSettings settings(Path dir, Map<VehicleType, Integer> capacity, EdgeSettings.OccupancyMode mode) {
        return settings(dir, "lot-t", capacity, mode, Duration.ZERO,
                new EdgeSettings.Mqtt("", "test", "", "", Duration.ofSeconds(10)));
    }

    /** Two lanes (in-1 entry, out-1 exit), the given spots, simulated hardware, offline unless {@code mqtt} has a URI. */
    public static EdgeSettings settings(Path dir, String lotId, Map<VehicleType, Integer> capacity,
                                        EdgeSettings.OccupancyMode mode, Duration debounce, EdgeSettings.Mqtt mqtt) {
        return settings(dir, lotId, capacity, mode, debounce, mqtt, List.of());
    }

    /** A counting level with ramp counters (simulated, zero debounce) besides its two lanes. */
    public static TestEdge startWithRamps(Map<VehicleType, Integer> capacity, List<EdgeSettings.Ramp> ramps) {
        try {
            Path dir = Files.createTempDirectory("edge-test");
            return new TestEdge(dir, settings(dir, "lot-t", capacity, EdgeSettings.OccupancyMode.COUNTING,
                    Duration.ZERO, new EdgeSettings.Mqtt("", "test", "", "", Duration.ofSeconds(10)), ramps),
                    new MutableClock(Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static EdgeSettings settings(Path dir, String lotId, Map<VehicleType, Integer> capacity,
                                        EdgeSettings.OccupancyMode mode, Duration debounce, EdgeSettings.Mqtt mqtt,
                                        List<EdgeSettings.Ramp> ramps) {
        List<EdgeSettings.Spot> spots = EdgeSettings.spotsFromCapacity(capacity);
        List<HardwareConfig.SpotWiring> wiring = new ArrayList<>();
        if (mode == EdgeSettings.OccupancyMode.SENSORS) {
            spots.forEach(s -> wiring.add(new HardwareConfig.SpotWiring(s.id(), -1)));
        }
        List<HardwareConfig.LaneWiring> lanes = List.of(
                new HardwareConfig.LaneWiring("in-1", -1, -1, -1, -1, -1, -1),
                new HardwareConfig.LaneWiring("out-1", -1, -1, -1, -1, -1, -1));
        HardwareConfig hardware = new HardwareConfig(HardwareConfig.Mode.SIMULATED, debounce,
                Duration.ofMillis(10), lanes, wiring, null,
                ramps.stream().map(r -> new HardwareConfig.RampWiring(r.id(), -1, -1)).toList());
        return new EdgeSettings(lotId, "L0", sqlite(dir.resolve("edge.db")), hardware, mode,
                List.of(new EdgeSettings.Lane("in-1", EdgeSettings.Direction.ENTRY),
                        new EdgeSettings.Lane("out-1", EdgeSettings.Direction.EXIT)),
                spots, TARIFF, "test-ticket-secret-0123456789", Duration.ofSeconds(30),
                new EdgeSettings.Payments(FLOOR_LIMIT, Duration.ofMillis(300), Duration.ofMinutes(15)),
                mqtt, "", null, ramps);
    }

    /** An edge on {@code settings}, whose db-path must lie in {@code dir} (deleted on close). */
    public static TestEdge start(Path dir, EdgeSettings settings, Clock clock) {
        return new TestEdge(dir, settings, clock);
    }

    static Config serverConfig() {
        return Config.just(ConfigSources.create(Map.of("port", "0", "host", "127.0.0.1", "max-payload-size", "65536")));
    }

    /** Stops the edge (as a clean shutdown) and starts it again on the same SQLite file. */
    public void restart() {
        app.close();
        app = EdgeApplication.start(settings, serverConfig(), clock);
    }

    public EdgeApplication app() {
        return app;
    }

    /** The clock tests move; only for edges started with a {@link MutableClock}. */
    public MutableClock clock() {
        return (MutableClock) clock;
    }

    public SimulatedLevel sim() {
        return app.hardware().simulator().orElseThrow();
    }

    public EdgeSettings settings() {
        return settings;
    }

    public String root() {
        return "http://127.0.0.1:" + app.port();
    }

    public String base() {
        return root() + "/api/v1";
    }

    /** {@code headers} are name, value pairs. */
    public Response get(String path, String... headers) {
        return http.get(base() + path, headers);
    }

    /** A path outside the API (the console, the observe endpoints). */
    public Response getRoot(String path) {
        return http.get(root() + path);
    }

    /** Sets a spot through the simulator API, as a test rig or the console would. */
    public void spot(String spotId, boolean occupied) {
        Response r = post("/simulator/spots/" + spotId, "{\"occupied\":" + occupied + "}");
        if (r.status() != 202) {
            throw new AssertionError("simulator refused: " + r);
        }
    }

    public long free() {
        return get("/availability").body().get("free").asLong();
    }

    public Response post(String path, String json) {
        return http.post(base() + path, json);
    }

    public Response post(String path, String json, String bearer) {
        return post(path, json, "Authorization", "Bearer " + bearer);
    }

    /** {@code headers} are name, value pairs. */
    public Response post(String path, String json, String... headers) {
        return http.post(base() + path, json, headers);
    }

    public Response put(String path, String json) {
        return http.put(base() + path, json);
    }

    /** Admits a car at in-1 and drives it through the barrier; returns the entry response body. */
    public JsonNode enterAndPass(String plate) {
        Response r = post("/lanes/in-1/entries", plate == null ? "{}" : "{\"plate\":\"" + plate + "\"}");
        if (r.status() != 201) {
            throw new AssertionError("entry failed: " + r);
        }
        pass("in-1");
        return r.body();
    }

    /** A car crosses the safety loop of a lane; waits until the lane is idle again. */
    public void pass(String laneId) {
        sim().setSafetyLoop(laneId, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> phase(laneId).equals("VEHICLE_PASSING")
                || phase(laneId).equals("IDLE"));
        sim().setSafetyLoop(laneId, false);
        await().atMost(Duration.ofSeconds(5)).until(() -> phase(laneId).equals("IDLE"));
    }

    public String phase(String laneId) {
        for (JsonNode lane : get("/lanes").body()) {
            if (lane.get("laneId").asText().equals(laneId)) {
                return lane.get("phase").asText();
            }
        }
        throw new AssertionError("no lane " + laneId);
    }

    public String barrier(String laneId) {
        for (JsonNode lane : get("/lanes").body()) {
            if (lane.get("laneId").asText().equals(laneId)) {
                return lane.get("barrier").asText();
            }
        }
        throw new AssertionError("no lane " + laneId);
    }

    @Override
    public void close() {
        app.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
