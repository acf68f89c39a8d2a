package org.openparking.edge.config;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.longInteger;
import static org.openparking.platform.config.ConfigValues.oneOf;
import static org.openparking.platform.config.ConfigValues.text;
import static org.openparking.platform.config.ConfigValues.texts;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.openparking.firmware.HardwareConfig;
import org.openparking.platform.config.ConfigInput;
import org.openparking.platform.config.ParkingConfig;
import org.openparking.platform.jdbc.SqliteSettings;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/**
 * Everything the edge controller is configured with, validated once at start-up. Only {@code Main}
 * reads configuration; everything else gets the piece it needs from here.
 */
public record EdgeSettings(String lotId, String levelId, SqliteSettings db, HardwareConfig hardware,
                           OccupancyMode occupancyMode, List<Lane> lanes, List<Spot> spots, Tariff tariff,
                           String ticketSecret, Duration passageTimeout, Payments payments, Mqtt mqtt,
                           String amqpUri, Auth auth, List<Ramp> ramps, Site site, LanePolicy lanePolicy) {

    /**
     * How people call the lot and level, and the lot's time zone: what the console shows instead of the ids and
     * the UTC instants ({@code edge.lot-name}, {@code edge.level-name}, {@code edge.time-zone}). Blank names are
     * the ids.
     */
    public record Site(String lotId, String levelId, String lotName, String levelName, String timeZone) {
        public Site {
            if (lotName == null || lotName.isBlank() || lotName.length() > 100) {
                throw new IllegalArgumentException("edge.lot-name must be 1-100 characters, was " + lotName);
            }
            if (levelName == null || levelName.isBlank() || levelName.length() > 100) {
                throw new IllegalArgumentException("edge.level-name must be 1-100 characters, was " + levelName);
            }
            try {
                java.time.ZoneId.of(timeZone);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("edge.time-zone must be an IANA time zone such as Europe/Berlin, was "
                        + timeZone);
            }
        }

        /** The ids as names, UTC. */
        public static Site of(String lotId, String levelId) {
            return new Site(lotId, levelId, lotId, levelId, "UTC");
        }

        /** The {@code edge} section's names and zone; a blank name is the id. */
        public static Site create(Config edge, String lotId, String levelId) {
            String lot = edge.get("lot-name").asString().orElse("");
            String level = edge.get("level-name").asString().orElse("");
            return new Site(lotId, levelId, lot.isBlank() ? lotId : lot.strip(),
                    level.isBlank() ? levelId : level.strip(),
                    edge.get("time-zone").asString().orElse("UTC"));
        }
    }


    /** A copy with other lane-rule settings. */
    public EdgeSettings withLanePolicy(LanePolicy policy) {
        return new EdgeSettings(lotId, levelId, db, hardware, occupancyMode, lanes, spots, tariff, ticketSecret,
                passageTimeout, payments, mqtt, amqpUri, auth, ramps, site, policy);
    }

    /**
     * The lane rules and ticketless exits (docs/lanes.md).
     *
     * @param rulesMaxAge     lane rules older than this (by the cloud's issue time) are stale: ticketless exits
     *                        are refused with {@code STALE_RULES}
     * @param ticketlessMaxFee a ticketless exit is charged automatically only up to this fee (minor units)
     * @param readMaxAge      a plate read older than this is not used at a lane ({@code NO_PLATE_READ})
     * @param readerThreshold the threshold the edge's own readers (simulated, webhook) carry in their reads
     */
    public record LanePolicy(Duration rulesMaxAge, long ticketlessMaxFee, Duration readMaxAge,
                             double readerThreshold) {
        public static final LanePolicy DEFAULTS = new LanePolicy(Duration.ofHours(24), 3000, Duration.ofSeconds(30),
                0.9);

        public LanePolicy {
            if (!(readerThreshold >= 0 && readerThreshold <= 1)) {
                throw new IllegalArgumentException("plate-reader.threshold must be within 0..1, was "
                        + readerThreshold);
            }
        }
    }

    /**
     * The sections that describe the level's layout. A file that has any of them describes the whole level, so
     * they are all taken from it and none from a lower layer: merging two spot lists element by element would
     * build a level nobody configured.
     */
    public static final List<String> LEVEL_SECTIONS = List.of("lanes", "spots", "capacity", "ramps");

    /** The edge's layered configuration (see {@link ParkingConfig}), the level sections taken whole. */
    public static Config load(ConfigInput input) {
        return ParkingConfig.load(input.withWholeSections(LEVEL_SECTIONS.toArray(String[]::new)));
    }

    /**
     * Maps and validates the whole configuration; a mistake fails with an {@link IllegalArgumentException} naming
     * its key.
     */
    public static EdgeSettings create(Config root) {
        return SettingsReader.read(root);
    }

    /**
     * sensors: per-spot sensors decide; counting: sessions at the gates and, where the level has them, ramp
     * counters decide.
     */
    public enum OccupancyMode { SENSORS, COUNTING }

    public enum Direction { ENTRY, EXIT }

    public record Lane(String id, Direction direction) {
        public Lane {
            Objects.requireNonNull(id, "lane id");
            Objects.requireNonNull(direction, "lane direction");
        }
    }

    public record Spot(String id, VehicleType type) {
        public Spot {
            Objects.requireNonNull(id, "spot id");
            Objects.requireNonNull(type, "spot type");
        }
    }

    /** A ramp counter of a counting level; its passages count cars of {@code type}. */
    public record Ramp(String id, VehicleType type) {
        public Ramp {
            Objects.requireNonNull(id, "ramp id");
            Objects.requireNonNull(type, "ramp type");
        }
    }

    /**
     * @param floorLimit      fees at or below this may be deferred when payments are unreachable
     * @param resultWait      how long an exit waits for a payment result
     * @param payStationGrace time to leave after paying at the pay station
     */
    public record Payments(long floorLimit, Duration resultWait, Duration payStationGrace) {
        /** The {@code payments} section. */
        public static Payments create(Config payments) {
            return new Payments(longInteger(payments, "floor-limit"), duration(payments, "wait"),
                    duration(payments, "pay-station-grace"));
        }
    }

    /**
     * @param uri         empty means MQTT off; {@code ssl://host:port} for TLS
     * @param topicPrefix prepended to every topic; empty in production, random in tests sharing a broker
     * @param tlsCaFile   PEM file of the CA certificate(s) the broker's certificate must chain to (TLS only; empty:
     *                    the JVM's trust store); the broker's name or address must match its certificate
     */
    public record Mqtt(String uri, String clientId, String username, String password, Duration heartbeat,
                       String topicPrefix, String tlsCaFile) {
        public Mqtt {
            topicPrefix = topicPrefix == null ? "" : topicPrefix;
            tlsCaFile = tlsCaFile == null ? "" : tlsCaFile.trim();
            if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
                throw new IllegalArgumentException("mqtt.heartbeat must be a positive duration, was " + heartbeat);
            }
            if (!tlsCaFile.isEmpty() && (uri == null || !uri.startsWith("ssl://"))) {
                throw new IllegalArgumentException("mqtt.tls-ca-file is set but mqtt.uri is not ssl://..., was '"
                        + uri + "'");
            }
        }

        public Mqtt(String uri, String clientId, String username, String password, Duration heartbeat,
                    String topicPrefix) {
            this(uri, clientId, username, password, heartbeat, topicPrefix, "");
        }

        public Mqtt(String uri, String clientId, String username, String password, Duration heartbeat) {
            this(uri, clientId, username, password, heartbeat, "", "");
        }

        /** Whether the broker is reached over TLS. */
        public boolean tls() {
            return uri != null && uri.startsWith("ssl://");
        }

        /** The {@code mqtt} section; an empty {@code client-id} means {@code defaultClientId}. */
        public static Mqtt create(Config mqtt, String defaultClientId) {
            String clientId = text(mqtt, "client-id");
            return new Mqtt(text(mqtt, "uri"), clientId.isBlank() ? defaultClientId : clientId,
                    text(mqtt, "username"), text(mqtt, "password"), duration(mqtt, "heartbeat"),
                    text(mqtt, "topic-prefix"), text(mqtt, "tls-ca-file"));
        }

        public boolean enabled() {
            return uri != null && !uri.isBlank();
        }

        @Override
        public String toString() {
            return "Mqtt[uri=" + uri + ", clientId=" + clientId + ", username=" + username + ", password=***"
                    + ", heartbeat=" + heartbeat + ", topicPrefix=" + topicPrefix + "]";
        }
    }

    /**
     * Who may use the edge. OPEN: anyone on the lot network (development, the quick start). TOKEN: admin
     * endpoints need an operator token (ES256 JWT from cloud-sync) verified offline with a key the cloud
     * pushed, and lane terminals and pay stations present a device key whose SHA-256 (hex) is listed in
     * {@code deviceKeyHashes}, so the file holding the configuration holds no usable secret.
     *
     * @param operatorId  {@code edge.operator-id}: the operator (tenant) that owns this lot; operator tokens of
     *                    another operator are refused. Empty: only platform users (tokens without an operator)
     * @param development the edge runs as a development rig ({@code edge.development}, resolved): only then are
     *                    open auth and the shipped ticket secret accepted and the simulator API served
     * @param maxStreams  {@code auth.max-streams}: at most this many {@code GET /availability/stream} clients at
     *                    once (503 {@code STREAMS_FULL} beyond), so that a page left open on many screens, or a
     *                    script, cannot take a Pi's threads and memory
     */
    public record Auth(Mode mode, String issuer, String audience, List<String> deviceKeyHashes, String operatorId,
                       boolean development, int maxStreams) {
        /** application.yaml's {@code auth.max-streams}, for edges built in code. */
        public static final int DEFAULT_MAX_STREAMS = 32;

        public enum Mode { OPEN, TOKEN }

        /** {@code edge.development}: AUTO is development exactly when the hardware is simulated and auth open. */
        public enum Development { AUTO, TRUE, FALSE }

        public Auth {
            deviceKeyHashes = List.copyOf(deviceKeyHashes == null ? List.of() : deviceKeyHashes);
            operatorId = operatorId == null ? "" : operatorId.trim();
            for (String h : deviceKeyHashes) {
                if (!h.matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("auth.device-key-hashes must be SHA-256 hex digests");
                }
            }
            if (!operatorId.isEmpty() && !operatorId.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("edge.operator-id must be 1-64 letters, digits, '-' or '_', was "
                        + operatorId);
            }
            if (maxStreams < 1) {
                throw new IllegalArgumentException("auth.max-streams must be at least 1, was " + maxStreams);
            }
        }

        public Auth(Mode mode, String issuer, String audience, List<String> deviceKeyHashes, String operatorId,
                    boolean development) {
            this(mode, issuer, audience, deviceKeyHashes, operatorId, development, DEFAULT_MAX_STREAMS);
        }

        /** An edge owned by no operator, a development rig exactly when open. */
        public Auth(Mode mode, String issuer, String audience, List<String> deviceKeyHashes) {
            this(mode, issuer, audience, deviceKeyHashes, "", mode == Mode.OPEN);
        }

        /** The same access rules for an edge of {@code operator}. */
        public Auth ownedBy(String operator) {
            return new Auth(mode, issuer, audience, deviceKeyHashes, operator, development, maxStreams);
        }

        /** The same rules on a development rig or not. */
        public Auth withDevelopment(boolean rig) {
            return new Auth(mode, issuer, audience, deviceKeyHashes, operatorId, rig, maxStreams);
        }

        /** The same rules with another cap on live streams. */
        public Auth withMaxStreams(int streams) {
            return new Auth(mode, issuer, audience, deviceKeyHashes, operatorId, development, streams);
        }

        /** The {@code auth} section. */
        public static Auth create(Config auth) {
            Mode mode = oneOf(auth, "mode", Mode.class);
            return new Auth(mode, text(auth, "issuer"), text(auth, "audience"), texts(auth, "device-key-hashes"),
                    "", mode == Mode.OPEN, (int) longInteger(auth, "max-streams"));
        }

        /**
         * Open mode, for tests and embedded edges, with application.yaml's issuer and audience (what cloud-sync
         * issues; checked only in token mode).
         */
        public static Auth open() {
            Auth d = create(ParkingConfig.defaults().get("auth"));
            return new Auth(Mode.OPEN, d.issuer(), d.audience(), List.of());
        }
    }

    public EdgeSettings {
        requireId(lotId, "edge.lot-id");
        requireId(levelId, "edge.level-id");
        Objects.requireNonNull(db, "edge.db-path");
        Objects.requireNonNull(site, "edge site labels");
        lanes = List.copyOf(lanes);
        spots = List.copyOf(spots);
        if (lanes.isEmpty()) {
            throw new IllegalArgumentException("lanes: a level needs at least one lane");
        }
        if (spots.isEmpty()) {
            throw new IllegalArgumentException("spots or capacity: a level needs at least one spot");
        }
        Set<String> ids = new HashSet<>();
        for (Lane l : lanes) {
            if (!ids.add(l.id())) {
                throw new IllegalArgumentException("lanes: duplicate lane id " + l.id());
            }
        }
        ids.clear();
        for (Spot s : spots) {
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException("spots: duplicate spot id " + s.id());
            }
        }
        if (ticketSecret == null || ticketSecret.length() < 16) {
            throw new IllegalArgumentException("tickets.secret must be at least 16 characters");
        }
        Objects.requireNonNull(tariff, "tariff");
        Objects.requireNonNull(payments, "payments");
        Objects.requireNonNull(mqtt, "mqtt");
        amqpUri = amqpUri == null ? "" : amqpUri;
        auth = auth == null ? Auth.open() : auth;
        ramps = List.copyOf(ramps == null ? List.of() : ramps);
        if (!ramps.isEmpty() && occupancyMode != OccupancyMode.COUNTING) {
            throw new IllegalArgumentException("ramps: ramp counters need occupancy.mode counting (on a sensors"
                    + " level every spot's sensor decides)");
        }
        ids.clear();
        Set<VehicleType> types = new HashSet<>();
        spots.forEach(s -> types.add(s.type()));
        Set<String> wired = new HashSet<>();
        hardware.ramps().forEach(w -> wired.add(w.rampId()));
        for (Ramp r : ramps) {
            if (!ids.add(r.id())) {
                throw new IllegalArgumentException("ramps: duplicate ramp id " + r.id());
            }
            if (!types.contains(r.type())) {
                throw new IllegalArgumentException("ramps: ramp " + r.id() + " counts " + r.type()
                        + " but the level has no " + r.type() + " spots");
            }
        }
        if (!wired.equals(ids)) {
            throw new IllegalArgumentException("ramps: the hardware wires ramps " + wired + " but the level has "
                    + ids);
        }
    }

    /** A level named by its ids, in UTC. */
    public EdgeSettings(String lotId, String levelId, SqliteSettings db, HardwareConfig hardware,
                        OccupancyMode occupancyMode, List<Lane> lanes, List<Spot> spots, Tariff tariff,
                        String ticketSecret, Duration passageTimeout, Payments payments, Mqtt mqtt, String amqpUri,
                        Auth auth, List<Ramp> ramps) {
        this(lotId, levelId, db, hardware, occupancyMode, lanes, spots, tariff, ticketSecret, passageTimeout,
                payments, mqtt, amqpUri, auth, ramps, Site.of(lotId, levelId), LanePolicy.DEFAULTS);
    }

    /** A level with its names and zone, the lane rules' settings at their defaults ({@link LanePolicy#DEFAULTS}). */
    public EdgeSettings(String lotId, String levelId, SqliteSettings db, HardwareConfig hardware,
                        OccupancyMode occupancyMode, List<Lane> lanes, List<Spot> spots, Tariff tariff,
                        String ticketSecret, Duration passageTimeout, Payments payments, Mqtt mqtt, String amqpUri,
                        Auth auth, List<Ramp> ramps, Site site) {
        this(lotId, levelId, db, hardware, occupancyMode, lanes, spots, tariff, ticketSecret, passageTimeout,
                payments, mqtt, amqpUri, auth, ramps, site, LanePolicy.DEFAULTS);
    }

    /** A level without ramp counters. */
    public EdgeSettings(String lotId, String levelId, SqliteSettings db, HardwareConfig hardware,
                        OccupancyMode occupancyMode, List<Lane> lanes, List<Spot> spots, Tariff tariff,
                        String ticketSecret, Duration passageTimeout, Payments payments, Mqtt mqtt, String amqpUri,
                        Auth auth) {
        this(lotId, levelId, db, hardware, occupancyMode, lanes, spots, tariff, ticketSecret, passageTimeout,
                payments, mqtt, amqpUri, auth, List.of());
    }

    public boolean countsRamps() {
        return !ramps.isEmpty();
    }

    private static void requireId(String value, String key) {
        // Ids become MQTT topic levels and AMQP routing-key words: no separators or wildcards.
        if (value == null || !value.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException(key + " must be 1-64 letters, digits, '-' or '_', was " + value);
        }
    }

    public String edgeId() {
        return Envelope.edgeId(lotId, levelId);
    }

    public boolean cloudEnabled() {
        return !amqpUri.isBlank();
    }

    /** Spots generated from a capacity map, for counting levels: ids {@code STANDARD-001}... */
    public static List<Spot> spotsFromCapacity(Map<VehicleType, Integer> capacity) {
        List<Spot> result = new ArrayList<>();
        capacity.forEach((type, count) -> {
            for (int i = 1; i <= count; i++) {
                result.add(new Spot(String.format("%s-%03d", type, i), type));
            }
        });
        return result;
    }

    @Override
    public String toString() {
        return "EdgeSettings[lot=" + lotId + ", level=" + levelId + ", db=" + db.file() + ", hardware=" + hardware.mode()
                + ", occupancy=" + occupancyMode + ", lanes=" + lanes + ", spots=" + spots.size()
                + ", tariff=" + tariff + ", tickets.secret=***, mqtt=" + mqtt + ", cloud="
                + (cloudEnabled() ? "on" : "off") + ", auth=" + auth.mode()
                + (ramps.isEmpty() ? "" : ", ramps=" + ramps) + "]";
    }
}
