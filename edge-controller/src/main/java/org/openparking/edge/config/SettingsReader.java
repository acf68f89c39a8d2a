package org.openparking.edge.config;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openparking.firmware.HardwareConfig;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/** Turns layered configuration into validated {@link EdgeSettings}; errors name the offending key. */
public final class SettingsReader {
    private SettingsReader() {
    }

    public static EdgeSettings read(ConfigLoader loader) {
        Config c = loader.config();
        Config level = loader.levelSource();
        HardwareConfig.Mode mode = enumValue(HardwareConfig.Mode.class, string(c, "hardware.mode", "simulated"),
                "hardware.mode");
        EdgeSettings.OccupancyMode occupancy = enumValue(EdgeSettings.OccupancyMode.class,
                string(c, "occupancy.mode", "sensors"), "occupancy.mode");

        List<EdgeSettings.Lane> lanes = new ArrayList<>();
        List<HardwareConfig.LaneWiring> laneWiring = new ArrayList<>();
        List<Config> laneNodes = level.get("lanes").asNodeList().orElse(List.of());
        for (int i = 0; i < laneNodes.size(); i++) {
            Config n = laneNodes.get(i);
            String key = "lanes." + i;
            String id = required(n, "id", key);
            lanes.add(new EdgeSettings.Lane(id, enumValue(EdgeSettings.Direction.class, required(n, "direction", key),
                    key + ".direction")));
            laneWiring.add(new HardwareConfig.LaneWiring(id, pin(n, "raise-pin"), pin(n, "open-limit-pin"),
                    pin(n, "closed-limit-pin"), pin(n, "fault-pin"), pin(n, "arming-loop-pin"),
                    pin(n, "safety-loop-pin")));
        }

        List<EdgeSettings.Spot> spots = new ArrayList<>();
        List<HardwareConfig.SpotWiring> spotWiring = new ArrayList<>();
        List<Config> spotNodes = level.get("spots").asNodeList().orElse(List.of());
        for (int i = 0; i < spotNodes.size(); i++) {
            Config n = spotNodes.get(i);
            String key = "spots." + i;
            String id = required(n, "id", key);
            spots.add(new EdgeSettings.Spot(id, enumValue(VehicleType.class, string(n, "type", "STANDARD"),
                    key + ".type")));
            if (n.get("pin").exists()) {
                spotWiring.add(new HardwareConfig.SpotWiring(id, pin(n, "pin")));
            }
        }
        Config capacityNode = level.get("capacity");
        if (capacityNode.exists()) {
            Map<VehicleType, Integer> capacity = new EnumMap<>(VehicleType.class);
            for (Config n : capacityNode.asNodeList().orElse(List.of())) {
                int count = n.asInt().get();
                if (count < 0) {
                    throw new IllegalArgumentException("capacity." + n.name() + " must not be negative");
                }
                capacity.put(enumValue(VehicleType.class, n.name(), "capacity." + n.name()), count);
            }
            spots.addAll(EdgeSettings.spotsFromCapacity(capacity));
        }
        if (occupancy == EdgeSettings.OccupancyMode.SENSORS && spotWiring.size() != spots.size()) {
            throw new IllegalArgumentException("occupancy.mode sensors needs a sensor pin on every spot ("
                    + spotWiring.size() + " of " + spots.size() + " have one); use occupancy.mode counting");
        }

        List<EdgeSettings.Ramp> ramps = new ArrayList<>();
        List<HardwareConfig.RampWiring> rampWiring = new ArrayList<>();
        List<Config> rampNodes = level.get("ramps").asNodeList().orElse(List.of());
        for (int i = 0; i < rampNodes.size(); i++) {
            Config n = rampNodes.get(i);
            String key = "ramps." + i;
            String id = required(n, "id", key);
            ramps.add(new EdgeSettings.Ramp(id, enumValue(VehicleType.class, string(n, "type", "STANDARD"),
                    key + ".type")));
            rampWiring.add(new HardwareConfig.RampWiring(id, pin(n, "outer-loop-pin"), pin(n, "inner-loop-pin"),
                    parseDuration(string(n, "gap", "PT0S"), key + ".gap")));
        }

        HardwareConfig.SignWiring sign = c.get("hardware.sign").exists()
                ? new HardwareConfig.SignWiring(pin(c, "hardware.sign.clock-pin"), pin(c, "hardware.sign.data-pin"),
                pin(c, "hardware.sign.full-lamp-pin"))
                : null;
        HardwareConfig hardware = new HardwareConfig(mode, duration(c, "hardware.debounce", "PT0.05S"),
                duration(c, "hardware.barrier-travel", "PT0.2S"), laneWiring, spotWiring, sign, rampWiring);

        Tariff tariff = new Tariff(c.get("tariff.version").asInt().orElse(1),
                string(c, "tariff.currency", "EUR"),
                c.get("tariff.grace-minutes").asInt().orElse(15),
                c.get("tariff.period-minutes").asInt().orElse(60),
                c.get("tariff.price-per-period").asLong().orElse(300L),
                c.get("tariff.daily-cap").asLong().orElse(0L),
                c.get("tariff.lost-ticket-fee").asLong().orElse(0L));

        EdgeSettings.Payments payments = new EdgeSettings.Payments(
                c.get("payments.floor-limit").asLong().orElse(1500L),
                duration(c, "payments.wait", "PT5S"),
                duration(c, "payments.pay-station-grace", "PT15M"));
        String lotId = string(c, "edge.lot-id", "lot-1");
        String levelId = string(c, "edge.level-id", "L0");
        String clientId = string(c, "mqtt.client-id", "");
        EdgeSettings.Mqtt mqtt = new EdgeSettings.Mqtt(string(c, "mqtt.uri", ""),
                clientId.isBlank() ? "edge-" + lotId + "-" + levelId : clientId,
                string(c, "mqtt.username", ""), string(c, "mqtt.password", ""),
                duration(c, "mqtt.heartbeat", "PT10S"), string(c, "mqtt.topic-prefix", ""));

        return new EdgeSettings(lotId, levelId, string(c, "edge.db-path", "./data/edge.db"), hardware, occupancy,
                lanes, spots, tariff, string(c, "tickets.secret", ""), duration(c, "lane.passage-timeout", "PT60S"),
                payments, mqtt, string(c, "cloud.amqp-uri", ""),
                new EdgeSettings.Auth(enumValue(EdgeSettings.Auth.Mode.class, string(c, "auth.mode", "open"),
                        "auth.mode"), string(c, "auth.issuer", "parking-cloud"), string(c, "auth.audience", "parking"),
                        c.get("auth.device-key-hashes").asList(String.class).orElse(List.of())), ramps);
    }

    private static String string(Config c, String key, String fallback) {
        return c.get(key).asString().orElse(fallback);
    }

    private static String required(Config n, String key, String parent) {
        return n.get(key).asString().orElseThrow(() ->
                new IllegalArgumentException(parent + "." + key + " is required"));
    }

    private static int pin(Config n, String key) {
        return n.get(key).asInt().orElse(-1);
    }

    private static Duration duration(Config c, String key, String fallback) {
        return parseDuration(string(c, key, fallback), key);
    }

    private static Duration parseDuration(String text, String key) {
        try {
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as PT5S, was " + text, e);
        }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String key) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " must be one of " + java.util.Arrays.toString(
                    type.getEnumConstants()).toLowerCase(Locale.ROOT) + ", was " + value, e);
        }
    }
}
