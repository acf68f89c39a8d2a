package org.openparking.cloud;

import io.helidon.config.Config;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.logging.common.LogConfig;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.sql.Connection;
import java.time.Clock;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.audit.AuditService;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.cloud.auth.AuthService;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.ClientAddress;
import org.openparking.cloud.auth.RateLimiter;
import org.openparking.cloud.auth.OperatorLots;
import org.openparking.cloud.auth.TokenRevocations;
import org.openparking.cloud.auth.TokenService;
import org.openparking.cloud.auth.UserStore;
import org.openparking.cloud.command.CommandService;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.cloud.command.UnsentRepublisher;
import org.openparking.cloud.fleet.FleetQueries;
import org.openparking.cloud.http.ApiRouting;
import org.openparking.cloud.http.CommandsService;
import org.openparking.cloud.discount.DiscountService;
import org.openparking.cloud.http.FleetService;
import org.openparking.cloud.http.HistoryService;
import org.openparking.cloud.history.HistoryQueries;
import org.openparking.cloud.history.HistoryRetention;
import org.openparking.cloud.http.PaymentsService;
import org.openparking.cloud.http.SessionsService;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.ingest.EventApplier;
import org.openparking.cloud.ingest.EventConsumer;
import org.openparking.cloud.ingest.IngestStats;
import org.openparking.cloud.observe.CloudMeters;
import org.openparking.cloud.payments.PaymentQueries;
import org.openparking.cloud.payments.RefundService;
import org.openparking.cloud.lanes.LaneRulesService;
import org.openparking.cloud.lanes.LaneRulesStore;
import org.openparking.cloud.opendata.OpenDataAdminService;
import org.openparking.cloud.opendata.OpenDataService;
import org.openparking.cloud.opendata.OpenDataSettings;
import org.openparking.cloud.opendata.PartnerService;
import org.openparking.cloud.opendata.PartnerStore;
import org.openparking.cloud.opendata.PublicAvailability;
import org.openparking.cloud.opendata.PublicPage;
import org.openparking.cloud.opendata.SiteStore;
import org.openparking.cloud.opendata.TrendSampler;
import org.openparking.cloud.opendata.WebhookSettings;
import org.openparking.cloud.opendata.WebhookWorker;
import org.openparking.cloud.http.ViewCache;
import org.openparking.cloud.live.ChangeFeed;
import org.openparking.cloud.live.QueuedReads;
import org.openparking.cloud.live.LiveSettings;
import org.openparking.cloud.portal.AvailabilityStream;
import org.openparking.cloud.portal.LevelBoard;
import org.openparking.cloud.portal.LiveLevels;
import org.openparking.cloud.portal.PortalService;
import org.openparking.platform.config.ConfigInput;
import org.openparking.platform.config.ParkingConfig;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.platform.json.HttpErrors;
import org.openparking.platform.json.JsonMedia;
import org.openparking.platform.observe.JvmMeters;
import org.openparking.platform.amqp.BrokerSettings;
import org.openparking.platform.amqp.ConfirmingPublisher;
import org.openparking.platform.amqp.Topology;

/** cloud-sync's composition root: everything is built once here and passed by constructor. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());
    /** The Flyway migrations of cloud-sync's database. */
    public static final String MIGRATIONS = "classpath:db/migration";

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        // A configuration mistake: one line naming the key, exit 2, nothing started half-configured.
        Configured c = ParkingConfig.orExit(() -> {
            Config config = loadConfig(ConfigInput.process());
            return new Configured(CloudSettings.create(config), AuthSettings.create(config),
                    OpenDataSettings.create(config), WebhookSettings.create(config));
        });
        Running running = start(c.settings(), c.auth(), c.openData(), c.webhooks(), AfterCommitHook.NONE);
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "cloud-sync-shutdown"));
        LOG.info(() -> "cloud-sync listening on port " + running.port());
    }

    private record Configured(CloudSettings settings, AuthSettings auth, OpenDataSettings openData,
                              WebhookSettings webhooks) {
    }

    /** The layered configuration (see {@link ParkingConfig}): environment, -D, PARKING_CONFIG, application.yaml. */
    static Config loadConfig(ConfigInput input) {
        return ParkingConfig.load(input);
    }

    /** The REST API behind the auth filter (the gateway), and the portal. */
    static void routing(HttpRouting.Builder routing, Api api, Gateway gateway, ViewCache views, OpenData openData) {
        routing.addFilter(gateway.filter());
        // A write may change what a cached view shows: views render afresh after it (and during it).
        routing.addFilter((chain, req, res) -> {
            // Only the API's writes: a public CORS preflight or HEAD must not make every view render again.
            io.helidon.http.Method method = req.prologue().method();
            boolean write = req.path().path().startsWith(ApiRouting.BASE) && !method.equals(io.helidon.http.Method.GET)
                    && !method.equals(io.helidon.http.Method.HEAD) && !method.equals(io.helidon.http.Method.OPTIONS);
            if (write) {
                views.changed();
            }
            try {
                chain.proceed();
            } finally {
                if (write) {
                    views.changed();
                }
            }
        });
        routing.register(OpenDataService.BASE, openData.feeds());
        routing.register(PublicPage.PATH, openData.page());
        routing.register(ApiRouting.BASE, openData.admin(), openData.partners(), openData.apds());
        routing.register(ApiRouting.BASE, api.laneRules());
        routing.register(ApiRouting.BASE, gateway.auth(), gateway.audit(), gateway.stream());
        routing.register("/portal", new PortalService());
        routing.get("/", (req, res) -> {
            res.status(io.helidon.http.Status.FOUND_302);
            res.header(io.helidon.http.HeaderNames.LOCATION, "/portal/");
            res.send();
        });
        ApiRouting.register(routing, api.fleet(), api.sessions(), api.payments(), api.commands(), api.history());
    }

    /** Authentication, audit and the live stream (issue 6). */
    public record Gateway(AuthFilter filter, AuthService auth, AuditService audit, AvailabilityStream stream,
                          TokenService tokens, UserStore users, LiveLevels levels, ChangeFeed feed,
                          OperatorLots operatorLots) {
    }

    /** The public feeds and page, and the operators' open-data settings (issue 18). */
    record OpenData(OpenDataService feeds, PublicPage page, OpenDataAdminService admin, PartnerService partners,
                    org.openparking.cloud.opendata.ApdsService apds) {
    }

    /** The HTTP services of the API. */
    record Api(FleetService fleet, SessionsService sessions, PaymentsService payments, CommandsService commands,
               HistoryService history, LaneRulesService laneRules) {
    }

    /** Starts cloud-sync: migrations, consumer, publisher, re-publisher and HTTP server. */
    public static Running start(CloudSettings settings, AfterCommitHook hook) {
        return start(settings, AuthSettings.defaults(), hook);
    }

    /** Starts cloud-sync with these authentication settings and limits. */
    public static Running start(CloudSettings settings, AuthSettings auth, AfterCommitHook hook) {
        return start(settings, auth, OpenDataSettings.defaults(), WebhookSettings.defaults(), hook);
    }

    /** Starts cloud-sync with these authentication, open-data and webhook settings. */
    public static Running start(CloudSettings settings, AuthSettings auth, OpenDataSettings openDataSettings,
                                WebhookSettings webhookSettings, AfterCommitHook hook) {
        Clock clock = Clock.systemUTC();
        BrokerSettings broker = settings.broker();
        PooledDataSource dataSource = PooledDataSource.postgres(settings.db(), "cloud-sync");
        try {
            int ran = dataSource.migrate(MIGRATIONS);
            LOG.info(() -> "database migrated, " + ran + " migrations applied");
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        IngestStats stats = new IngestStats();
        LiveSettings live = settings.live();
        ViewCache views = new ViewCache(live.viewMaxAge());
        AfterCommitHook committed = (envelope, channel) -> {
            views.changed();
            hook.afterCommit(envelope, channel);
        };
        ConfirmingPublisher publisher = ConfirmingPublisher.lazy(broker, "cloud-sync-publisher",
                java.time.Duration.ofSeconds(10));
        OutgoingMessages outgoing = new OutgoingMessages(dataSource, publisher, clock);
        EventConsumer consumer = new EventConsumer(broker, new EventApplier(dataSource, clock, outgoing),
                settings.ingest(), stats, committed);
        CommandService commands = new CommandService(dataSource, outgoing);
        // The API's reads queue for the pool (bounded) instead of failing while it is busy; writes and the
        // ingest take it directly.
        QueuedReads reads = new QueuedReads(dataSource, Math.max(1, settings.db().poolSize()
                - settings.ingest().consumers() - 2), live.readQueue(), live.readWait());
        FleetQueries fleet = new FleetQueries(reads, clock, settings.offlineAfter());
        PaymentQueries payments = new PaymentQueries(reads);
        RefundService refunds = new RefundService(dataSource, outgoing);
        Api api = new Api(new FleetService(fleet, commands, views), new SessionsService(fleet, payments, refunds),
                new PaymentsService(payments, stats, () -> publisher.messageCount(Topology.DEAD_QUEUE)),
                new CommandsService(commands, new DiscountService(dataSource, outgoing)),
                new HistoryService(new HistoryQueries(dataSource, clock), views),
                new LaneRulesService(new LaneRulesStore(dataSource, outgoing, clock)));

        UserStore users = new UserStore(dataSource);
        try {
            AuthService.bootstrap(users, auth);
        } catch (java.sql.SQLException e) {
            LOG.warning("cannot create the bootstrap admin now: " + e.getMessage());
        }
        TokenService tokens = new TokenService(TokenService.loadOrGenerate(auth), auth, clock);
        TokenRevocations revocations = new TokenRevocations(dataSource, clock, auth.clockSkew());
        LevelBoard board = new LevelBoard();
        AvailabilityStream stream = new AvailabilityStream(board, live, clock);
        board.onChange(stream::changed);
        board.onChange(level -> views.changed());
        revocations.onRevocation(() -> stream.endRevoked(revocations::isRevokedInMemory));
        OperatorLots operatorLots = new OperatorLots(users);
        ChangeFeed feed = new ChangeFeed(settings.db(), live.feedRetry())
                .subscribe(LevelBoard.CHANNEL, board)
                .subscribe(TokenRevocations.CHANNEL, revocations)
                .subscribe(OperatorLots.CHANNEL, operatorLots)
                .start();
        Gateway gateway = new Gateway(
                new AuthFilter(tokens, revocations, operatorLots, reads, new RateLimiter(auth.apiPerSecond(), auth.apiBurst(), clock),
                        auth.maxBodyBytes()),
                new AuthService(tokens, revocations, users, RateLimiter.per(auth.loginPerMinute(), java.time.Duration.ofMinutes(1),
                        clock), RateLimiter.per(auth.loginPerAddressPerMinute(), java.time.Duration.ofMinutes(1), clock),
                        ClientAddress.trusting(auth.trustedProxies()), dataSource, outgoing),
                new AuditService(new AuditLog(dataSource)), stream, tokens, users, board, feed, operatorLots);

        TrendSampler sampler = new TrendSampler(dataSource, openDataSettings, clock);
        OpenData openData = new OpenData(new OpenDataService(PublicAvailability.live(board, dataSource, sampler,
                openDataSettings, clock), ClientAddress.trusting(auth.trustedProxies()), clock), new PublicPage(),
                new OpenDataAdminService(new SiteStore(dataSource)),
                new PartnerService(new PartnerStore(dataSource, webhookSettings.allowHttpLocalhost())),
                new org.openparking.cloud.opendata.ApdsService(fleet, new SiteStore(dataSource), dataSource));
        WebhookWorker webhooks = new WebhookWorker(dataSource, webhookSettings, openDataSettings.almostFullRatio(),
                clock);

        consumer.start();
        sampler.start();
        HistoryRetention retention = new HistoryRetention(dataSource, clock).start(java.time.Duration.ofMinutes(10));
        webhooks.start();
        // The registry /observe/metrics serves, looked up once here and handed to what records meters.
        MeterRegistry registry = Metrics.globalRegistry();
        JvmMeters.bind(registry);
        CloudMeters meters = new CloudMeters(registry, stats, stream::clientCount, dataSource,
                () -> publisher.messageCount(Topology.DEAD_QUEUE), clock, settings.metricsRefresh());
        UnsentRepublisher republisher = new UnsentRepublisher(outgoing, settings.republishInterval());
        WebServer server = WebServer.builder()
                .port(settings.port())
                // Above the API's own limit, so that bodies declaring a length up to 4x the limit get the
                // JSON 413 of AuthFilter; the server's own 413 stops larger and unbounded ones, with the same
                // JSON error body (the hostile-input property found it empty).
                .maxPayloadSize(auth.maxBodyBytes() * 4)
                // Helidon's refusals before routing (that larger body, a malformed request line) in the
                // same JSON error body as every other refusal.
                .directHandlers(HttpErrors.directHandlers())
                .mediaContext(JsonMedia.context())
                .featuresDiscoverServices(false)
                .addFeature(ObserveFeature.builder()
                        .observersDiscoverServices(false)
                        .addObserver(HealthObserver.builder()
                                .details(true)
                                .useSystemServices(false)
                                .addCheck(() -> databaseHealth(dataSource), HealthCheckType.READINESS, "postgresql")
                                .addCheck(() -> HealthCheckResponse.builder().status(consumer.isConnected())
                                        .build(), HealthCheckType.READINESS, "rabbitmq")
                                .build())
                        .addObserver(MetricsObserver.create())
                        .build())
                .routing(r -> routing(r, api, gateway, views, openData))
                .build()
                .start();
        return new Running(server, consumer, republisher, publisher, dataSource, stats, gateway, sampler, webhooks,
                meters, retention);
    }

    /**
     * Readiness of PostgreSQL. The detail is fixed text and the SQL state: the driver's message (host, database and
     * user names, server text) goes to the log only, as for the API's 503.
     */
    static HealthCheckResponse databaseHealth(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return HealthCheckResponse.builder().status(c.isValid(2)).build();
        } catch (Exception e) {
            LOG.warning(() -> "readiness: PostgreSQL unavailable: " + e);
            HealthCheckResponse.Builder b = HealthCheckResponse.builder().status(false)
                    .detail("error", "database unavailable");
            if (e instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                b.detail("sqlState", sql.getSQLState());
            }
            return b.build();
        }
    }

    /** A started cloud-sync; close stops HTTP, consumer and publisher and closes the pool. */
    public record Running(WebServer server, EventConsumer consumer, UnsentRepublisher republisher,
                          ConfirmingPublisher publisher, PooledDataSource dataSource, IngestStats stats,
                          Gateway gateway, TrendSampler sampler, WebhookWorker webhooks, CloudMeters meters,
                          HistoryRetention retention)
            implements AutoCloseable {
        public int port() {
            return server.port();
        }

        @Override
        public void close() {
            gateway.stream().close();
            sampler.close();
            retention.close();
            webhooks.close();
            server.stop();
            meters.close();
            gateway.feed().close();
            republisher.close();
            consumer.close();
            publisher.close();
            dataSource.close();
        }
    }
}
