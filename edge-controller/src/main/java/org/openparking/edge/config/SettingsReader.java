package org.openparking.edge.config;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;
import static org.openparking.platform.config.ConfigValues.longInteger;
import static org.openparking.platform.config.ConfigValues.oneOf;
import static org.openparking.platform.config.ConfigValues.text;

import io.helidon.config.Config;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.openparking.firmware.HardwareConfig;
import org.openparking.platform.config.ConfigException;
import org.openparking.platform.jdbc.SqliteSettings;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/**
 * Maps the edge's configuration onto {@link EdgeSettings} (see {@link EdgeSettings#create}). Every scalar's
 * default is in application.yaml; only the elements of the level's lists have optional fields (a pin left out
 * is not wired, a spot or ramp without a type counts STANDARD cars), because a list is replaced whole and its
 * elements cannot inherit from the built-in file.
 */
final class SettingsReader {
    /** A pin left out of a lane, spot or ramp (simulated hardware has none). */
    private static final int NOT_WIRED = -1;

    private SettingsReader() {
    }

    static EdgeSettings read(Config c) {
        EdgeSettings.OccupancyMode occupancy = oneOf(c.get("occupancy"), "mode", EdgeSettings.OccupancyMode.class);

        List<EdgeSettings.Lane> lanes = new ArrayList<>();
        List<HardwareConfig.LaneWiring> laneWiring = new ArrayList<>();
        for (Config n : c.get("lanes").asNodeList().orElse(List.of())) {
            String id = required(n, "id");
            lanes.add(new EdgeSettings.Lane(id, oneOf(n, "direction", EdgeSettings.Direction.class)));
            laneWiring.add(new HardwareConfig.LaneWiring(id, pin(n, "raise-pin"), pin(n, "open-limit-pin"),
                    pin(n, "closed-limit-pin"), pin(n, "fault-pin"), pin(n, "arming-loop-pin"),
                    pin(n, "safety-loop-pin")));
        }

        List<EdgeSettings.Spot> spots = new ArrayList<>();
        List<HardwareConfig.SpotWiring> spotWiring = new ArrayList<>();
        for (Config n : c.get("spots").asNodeList().orElse(List.of())) {
            String id = required(n, "id");
            spots.add(new EdgeSettings.Spot(id, type(n)));
            if (n.get("pin").exists()) {
                spotWiring.add(new HardwareConfig.SpotWiring(id, pin(n, "pin")));
            }
        }
        Config capacityNode = c.get("capacity");
        if (capacityNode.exists()) {
            Map<VehicleType, Integer> capacity = new EnumMap<>(VehicleType.class);
            for (Config n : capacityNode.asNodeList().orElse(List.of())) {
                int count = integer(capacityNode, n.name());
                if (count < 0) {
                    throw new ConfigException(n.key().toString(), "must not be negative");
                }
                capacity.put(capacityType(n), count);
            }
            spots.addAll(EdgeSettings.spotsFromCapacity(capacity));
        }
        if (occupancy == EdgeSettings.OccupancyMode.SENSORS && spotWiring.size() != spots.size()) {
            throw new IllegalArgumentException("occupancy.mode sensors needs a sensor pin on every spot ("
                    + spotWiring.size() + " of " + spots.size() + " have one); use occupancy.mode counting");
        }

        List<EdgeSettings.Ramp> ramps = new ArrayList<>();
        List<HardwareConfig.RampWiring> rampWiring = new ArrayList<>();
        for (Config n : c.get("ramps").asNodeList().orElse(List.of())) {
            String id = required(n, "id");
            ramps.add(new EdgeSettings.Ramp(id, type(n)));
            rampWiring.add(new HardwareConfig.RampWiring(id, pin(n, "outer-loop-pin"), pin(n, "inner-loop-pin"),
                    n.get("gap").exists() ? duration(n, "gap") : java.time.Duration.ZERO));
        }

        Config hw = c.get("hardware");
        HardwareConfig.SignWiring sign = hw.get("sign").exists()
                ? new HardwareConfig.SignWiring(pin(hw.get("sign"), "clock-pin"), pin(hw.get("sign"), "data-pin"),
                pin(hw.get("sign"), "full-lamp-pin"))
                : null;
        HardwareConfig hardware = new HardwareConfig(oneOf(hw, "mode", HardwareConfig.Mode.class),
                duration(hw, "debounce"), duration(hw, "barrier-travel"), laneWiring, spotWiring, sign, rampWiring);

        Config edge = c.get("edge");
        String lotId = text(edge, "lot-id");
        String levelId = text(edge, "level-id");
        return new EdgeSettings(lotId, levelId, SqliteSettings.create(edge), hardware, occupancy, lanes, spots,
                tariff(c.get("tariff")), text(c.get("tickets"), "secret"),
                duration(c.get("lane"), "passage-timeout"), EdgeSettings.Payments.create(c.get("payments")),
                EdgeSettings.Mqtt.create(c.get("mqtt"), "edge-" + lotId + "-" + levelId),
                text(c.get("cloud"), "amqp-uri"), auth(c, hardware.mode()), ramps,
                EdgeSettings.Site.create(edge, lotId, levelId), lanePolicy(c));
    }

    /**
     * The auth section with {@code edge.development} resolved. Outside development (real GPIO, token mode, or
     * {@code edge.development: false} as the images and the Ansible role set it) open auth and the ticket secret
     * shipped in application.yaml are refused: anyone who read the docs could raise a barrier or mint a ticket
     * that exits free.
     */
    private static EdgeSettings.LanePolicy lanePolicy(Config c) {
        double threshold = org.openparking.platform.config.ConfigValues.decimal(c.get("plate-reader"), "threshold");
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("plate-reader.threshold must be within 0..1, was " + threshold);
        }
        return new EdgeSettings.LanePolicy(duration(c.get("lane-rules"), "max-age"),
                longInteger(c.get("ticketless"), "max-fee"), duration(c.get("ticketless"), "read-max-age"), threshold);
    }

    private static EdgeSettings.Auth auth(Config c, HardwareConfig.Mode hardware) {
        Config edge = c.get("edge");
        String ticketSecret = text(c.get("tickets"), "secret");
        Config authNode = c.get("auth");
        EdgeSettings.Auth.Mode mode = oneOf(authNode, "mode", EdgeSettings.Auth.Mode.class);
        boolean development = switch (oneOf(edge, "development", EdgeSettings.Auth.Development.class)) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> hardware == HardwareConfig.Mode.SIMULATED && mode == EdgeSettings.Auth.Mode.OPEN;
        };
        if (!development) {
            String why = "outside development (hardware.mode=" + hardware.name().toLowerCase(java.util.Locale.ROOT)
                    + ", auth.mode=" + mode.name().toLowerCase(java.util.Locale.ROOT) + ", edge.development="
                    + text(edge, "development").trim().toLowerCase(java.util.Locale.ROOT) + ")";
            if (mode == EdgeSettings.Auth.Mode.OPEN) {
                throw new ConfigException("auth.mode", "is open " + why + ": set auth.mode=token (AUTH_MODE), or"
                        + " edge.development=true (EDGE_DEVELOPMENT) on a development rig");
            }
            String shipped = org.openparking.platform.config.ParkingConfig.defaults().get("tickets.secret").asString()
                    .orElse(null);
            if (ticketSecret.equals(shipped)) {
                throw new ConfigException("tickets.secret", "is the development secret shipped in application.yaml, "
                        + "refused " + why + ": set the lot's own secret (TICKETS_SECRET)");
            }
        }
        return EdgeSettings.Auth.create(authNode).ownedBy(text(edge, "operator-id")).withDevelopment(development);
    }

    private static Tariff tariff(Config t) {
        return new Tariff(integer(t, "version"), text(t, "currency"), integer(t, "grace-minutes"),
                integer(t, "period-minutes"), longInteger(t, "price-per-period"), longInteger(t, "daily-cap"),
                longInteger(t, "lost-ticket-fee"));
    }

    private static VehicleType type(Config element) {
        return element.get("type").exists() ? oneOf(element, "type", VehicleType.class) : VehicleType.STANDARD;
    }

    private static VehicleType capacityType(Config entry) {
        try {
            return VehicleType.valueOf(entry.name().trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(entry.key().toString(), "is not a vehicle type: one of "
                    + java.util.Arrays.toString(VehicleType.values()), e);
        }
    }

    private static String required(Config element, String key) {
        return element.get(key).asString().orElseThrow(() ->
                new ConfigException(element.get(key).key().toString(), "is required"));
    }

    private static int pin(Config element, String key) {
        return element.get(key).exists() ? integer(element, key) : NOT_WIRED;
    }
}
