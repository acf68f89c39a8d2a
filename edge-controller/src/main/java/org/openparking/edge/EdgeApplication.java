package org.openparking.edge;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.openparking.edge.auth.OperatorTokens;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.http.EdgeRouting;
import org.openparking.edge.lane.LaneController;
import org.openparking.edge.lane.PlateReads;
import org.openparking.edge.lane.LaneStateRecorder;
import org.openparking.edge.occupancy.DriftLog;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.edge.occupancy.RampCounter;
import org.openparking.edge.occupancy.SpotTracker;
import org.openparking.edge.observe.EdgeMeters;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.edge.realtime.Realtime;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.session.SessionRepository;
import org.openparking.edge.store.EdgeDatabase;
import org.openparking.platform.jdbc.Database;
import org.openparking.edge.store.LevelSetup;
import org.openparking.edge.sync.CloudSync;
import org.openparking.edge.sync.SyncSettings;
import org.openparking.edge.sync.SyncState;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.firmware.BarrierGate;
import org.openparking.firmware.HardwareFactory;
import org.openparking.firmware.LevelHardware;
import org.openparking.platform.json.HttpErrors;
import org.openparking.platform.json.JsonMedia;
import org.openparking.platform.observe.JvmMeters;

/**
 * One running level: every component built once, in dependency order, and closed in reverse. Main
 * starts one from configuration; tests start one on a temp database and port 0.
 */
public final class EdgeApplication implements AutoCloseable {
    private final PlateReads plateReads;
    private static final Logger LOG = Logger.getLogger(EdgeApplication.class.getName());

    private final EdgeSettings settings;
    private final Database db;
    private final LevelHardware hardware;
    private final ScheduledExecutorService timer;
    private final LevelAvailability board;
    private final ParkingService parking;
    private final LevelCommands commands;
    private final Map<String, LaneController> lanes;
    private final WebServer server;
    private final Realtime realtime;
    private final SyncState sync;
    private final EdgeRouting.Parts parts;
    private final CloudSync cloud;
    private final EdgeMeters meters;

    private EdgeApplication(EdgeSettings settings, Config serverConfig, SyncSettings syncSettings, Clock clock) {
        this.settings = settings;
        this.db = EdgeDatabase.open(settings.db());
        TariffRepository tariffs = new TariffRepository();
        LevelSetup.apply(db, settings, tariffs, clock.instant());

        this.hardware = HardwareFactory.create(settings.hardware());
        java.util.concurrent.ScheduledThreadPoolExecutor laneTimer = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> {
                    Thread t = new Thread(r, "lane-timer");
                    t.setDaemon(true);
                    return t;
                });
        // A passage timeout still pending at close must not run against closed hardware and a closed database
        // (it did, up to lane.passage-timeout later, and logged into whatever ran next in the JVM).
        laneTimer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = laneTimer;
        Outbox outbox = new Outbox(settings.lotId(), settings.levelId(), clock);
        this.board = new LevelAvailability();
        // The registry /observe/metrics serves, looked up once here and handed to what records meters.
        MeterRegistry metrics = Metrics.globalRegistry();
        JvmMeters.bind(metrics);
        Occupancy occupancy = new Occupancy(settings.occupancyMode(), settings.lotId(), settings.levelId(), outbox,
                clock, board, metrics);
        board.publish(db.write(c -> {
            occupancy.start(c);
            return occupancy.announce(c);
        }));
        this.realtime = Realtime.start(settings, db, occupancy, board, hardware.sign(), clock);

        SpotTracker spots = new SpotTracker(db, occupancy, board, clock);
        if (settings.occupancyMode() == EdgeSettings.OccupancyMode.SENSORS) {
            spots.attach(settings.spots().stream().map(s -> hardware.spotSensor(s.id())).toList());
        }
        RampCounter ramps = new RampCounter(db, occupancy, board, clock, settings, metrics);
        ramps.attach(settings.ramps().stream().map(r -> hardware.ramp(r.id())).toList());

        PaymentResults results = new PaymentResults();
        PaymentRepository payments = new PaymentRepository();
        this.sync = new SyncState(db, clock, syncSettings.enabled());
        this.parking = new ParkingService(db, settings, new TicketSigner(settings.lotId(), settings.ticketSecret()),
                outbox, occupancy, board, new SessionRepository(), tariffs, payments, results, sync, clock);

        this.meters = new EdgeMeters(metrics, settings.lotId(), settings.levelId(), settings.lanes(),
                new EdgeMeters.Sources(board::current, sync::status, sync::state, realtime::sseClients));
        LaneStateRecorder laneStates = new LaneStateRecorder(db, outbox, clock);
        this.lanes = new LinkedHashMap<>();
        this.plateReads = new PlateReads();
        Map<String, BarrierGate> barriers = new LinkedHashMap<>();
        for (EdgeSettings.Lane lane : settings.lanes()) {
            BarrierGate barrier = hardware.barrier(lane.id());
            barriers.put(lane.id(), barrier);
            LaneController controller = new LaneController(lane, barrier, hardware.armingLoop(lane.id()),
                    hardware.safetyLoop(lane.id()), hardware.ticketPrinter(lane.id()), parking, timer,
                    settings.passageTimeout(), clock, meters, plateReads);
            controller.onChange(laneStates::record);
            controller.onChange(meters::lane);
            controller.onChange(realtime::lane);
            realtime.lane(controller.view());
            lanes.put(lane.id(), controller);
        }
        OperatorTokens tokens = new OperatorTokens(db, clock, settings.auth().issuer(), settings.auth().audience());
        if (settings.auth().development()) {
            LOG.warning("DEVELOPMENT mode (edge.development): auth.mode="
                    + settings.auth().mode().name().toLowerCase(java.util.Locale.ROOT)
                    + ", the shipped ticket secret and the simulator API are allowed; never on a real lot");
        } else {
            LOG.info("PRODUCTION mode: auth.mode=token, operator tokens of " + (settings.auth().operatorId().isEmpty()
                    ? "platform users only (edge.operator-id unset)" : "operator " + settings.auth().operatorId()
                    + " and platform users") + ", no simulator API");
        }
        this.commands = new LevelCommands(db, outbox, occupancy, board, tariffs, lanes, barriers, tokens, parking,
                syncSettings.remoteOpenMaxAge(), clock);

        this.parts = new EdgeRouting.Parts(board, spots, lanes, parking, commands, hardware.simulator(),
                settings.spots().stream().map(EdgeSettings.Spot::id).collect(Collectors.toUnmodifiableSet()),
                tokens, settings.auth(), sync, ramps, new DriftLog(db), settings.site(), plateReads,
                settings.lanePolicy().readerThreshold());
        this.server = WebServer.builder()
                .config(serverConfig)
                .mediaContext(JsonMedia.context())
                .directHandlers(HttpErrors.directHandlers())
                .addFeature(observe())
                .routing(this::routing)
                .build()
                .start();
        try {
            this.cloud = syncSettings.enabled()
                    ? CloudSync.start(syncSettings, settings.edgeId(), db, sync, commands, payments, results,
                            metrics, clock)
                    : null;
        } catch (RuntimeException e) {
            server.stop();
            meters.close();
            throw e;
        }
        LOG.info(() -> "edge " + settings.edgeId() + " serving on port " + server.port() + " (" + settings + ")");
    }

    public static EdgeApplication start(EdgeSettings settings, Config serverConfig) {
        return start(settings, serverConfig, Clock.systemUTC());
    }

    public static EdgeApplication start(EdgeSettings settings, Config serverConfig, Clock clock) {
        return new EdgeApplication(settings, serverConfig, SyncSettings.defaults(settings.amqpUri()), clock);
    }

    public static EdgeApplication start(EdgeSettings settings, Config serverConfig, SyncSettings sync, Clock clock) {
        return new EdgeApplication(settings, serverConfig, sync, clock);
    }

    private ObserveFeature observe() {
        HealthCheck database = new HealthCheck() {
            @Override
            public String name() {
                return "database";
            }

            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public HealthCheckResponse call() {
                try {
                    long open = db.read(c -> {
                        try (var ps = c.prepareStatement("SELECT COUNT(*) FROM sessions WHERE status = 'OPEN'");
                             var rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    });
                    return HealthCheckResponse.builder().status(true).detail("openSessions", open).build();
                } catch (RuntimeException e) {
                    return HealthCheckResponse.builder().status(false).detail("error", e.getMessage()).build();
                }
            }
        };
        // Informational, always UP: the edge serves its level offline by design, so the link is shown, not judged.
        HealthCheck link = new HealthCheck() {
            @Override
            public String name() {
                return "sync";
            }

            @Override
            public HealthCheckResponse call() {
                return HealthCheckResponse.builder().status(true).detail("state", sync.state().name()).build();
            }
        };
        return ObserveFeature.builder()
                .addObserver(HealthObserver.builder().details(true).addCheck(database).addCheck(link).build())
                .addObserver(MetricsObserver.create())
                .build();
    }

    /** Every route the server serves, in one place: the server and the OpenAPI route check walk it. */
    public void routing(HttpRouting.Builder r) {
        EdgeRouting.routing(r, parts);
        realtime.routing(r, EdgeRouting.BASE, EdgeRouting.streamAccess(parts));
    }

    public int port() {
        return server.port();
    }

    public EdgeSettings settings() {
        return settings;
    }

    public LevelHardware hardware() {
        return hardware;
    }

    public LevelAvailability availability() {
        return board;
    }

    public Realtime realtime() {
        return realtime;
    }

    public ParkingService parking() {
        return parking;
    }

    public Database database() {
        return db;
    }

    /** The newest plate read of each lane (readers feed it; the simulator and tests may too). */
    public PlateReads plateReads() {
        return plateReads;
    }

    public LevelCommands commands() {
        return commands;
    }

    public SyncState sync() {
        return sync;
    }

    @Override
    public void close() {
        realtime.close();
        server.stop();
        if (cloud != null) {
            cloud.close();
        }
        timer.shutdown();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hardware.close();
        meters.close();
        db.close();
    }
}
