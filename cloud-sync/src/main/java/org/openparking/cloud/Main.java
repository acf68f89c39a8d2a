package org.openparking.cloud;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.logging.common.LogConfig;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.cloud.amqp.AmqpConnector;
import org.openparking.cloud.amqp.ConfirmingPublisher;
import org.openparking.cloud.command.CommandService;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.cloud.command.UnsentRepublisher;
import org.openparking.cloud.fleet.FleetQueries;
import org.openparking.cloud.http.ApiRouting;
import org.openparking.cloud.http.CommandsService;
import org.openparking.cloud.http.FleetService;
import org.openparking.cloud.http.PaymentsService;
import org.openparking.cloud.http.SessionsService;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.ingest.ConsumerSettings;
import org.openparking.cloud.ingest.EventApplier;
import org.openparking.cloud.ingest.EventConsumer;
import org.openparking.cloud.ingest.IngestStats;
import org.openparking.cloud.payments.PaymentQueries;
import org.openparking.cloud.payments.RefundService;
import org.openparking.cloud.store.Database;
import org.openparking.protocol.amqp.Topology;
import org.openparking.protocol.config.EnvOverrides;

/** cloud-sync's composition root: everything is built once here and passed by constructor. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        CloudSettings settings = CloudSettings.from(loadConfig(System.getenv()));
        Running running = start(settings, AfterCommitHook.NONE);
        registerMetrics(running);
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "cloud-sync-shutdown"));
        LOG.info(() -> "cloud-sync listening on port " + running.port());
    }

    /**
     * application.yaml from the classpath, then the optional file named by PARKING_CONFIG, then
     * environment overrides (db.url ← DB_URL); later sources win.
     */
    static Config loadConfig(Map<String, String> env) {
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(EnvOverrides.overrides(CloudSettings.KEYS, env)));
        String file = env.get("PARKING_CONFIG");
        if (file != null && !file.isBlank()) {
            builder.addSource(ConfigSources.file(Path.of(file)).optional());
        }
        return builder.addSource(ConfigSources.classpath("application.yaml")).build();
    }

    /** The REST API; an authentication filter (issue 6) goes in front of it here. */
    static void routing(HttpRouting.Builder routing, Api api) {
        ApiRouting.register(routing, api.fleet(), api.sessions(), api.payments(), api.commands());
    }

    /** The HTTP services of the API. */
    record Api(FleetService fleet, SessionsService sessions, PaymentsService payments, CommandsService commands) {
    }

    /** Starts cloud-sync: migrations, consumer, publisher, re-publisher and HTTP server. */
    public static Running start(CloudSettings settings, AfterCommitHook hook) {
        Clock clock = Clock.systemUTC();
        HikariDataSource dataSource = Database.pool(settings.dbUrl(), settings.dbPoolSize());
        try {
            int ran = Database.migrate(dataSource);
            LOG.info(() -> "database migrated, " + ran + " migrations applied");
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        AmqpConnector connector = new AmqpConnector(settings.amqpUri());
        IngestStats stats = new IngestStats();
        EventConsumer consumer = new EventConsumer(connector, new EventApplier(dataSource, clock),
                new ConsumerSettings(settings.prefetch(), settings.consumers(), settings.maxBatch(), 5_000), stats, hook);
        ConfirmingPublisher publisher = new ConfirmingPublisher(connector, 10_000);
        OutgoingMessages outgoing = new OutgoingMessages(dataSource, publisher, clock);
        CommandService commands = new CommandService(dataSource, outgoing);
        FleetQueries fleet = new FleetQueries(dataSource, clock, settings.offlineAfter());
        PaymentQueries payments = new PaymentQueries(dataSource);
        RefundService refunds = new RefundService(dataSource, outgoing);
        Api api = new Api(new FleetService(fleet, commands), new SessionsService(fleet, payments, refunds),
                new PaymentsService(payments, stats, () -> publisher.messageCount(Topology.DEAD_QUEUE)),
                new CommandsService(commands));

        consumer.start();
        UnsentRepublisher republisher = new UnsentRepublisher(outgoing, settings.republishInterval());
        WebServer server = WebServer.builder()
                .port(settings.port())
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
                .routing(r -> routing(r, api))
                .build()
                .start();
        return new Running(server, consumer, republisher, publisher, dataSource, stats);
    }

    private static HealthCheckResponse databaseHealth(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return HealthCheckResponse.builder().status(c.isValid(2)).build();
        } catch (Exception e) {
            return HealthCheckResponse.builder().status(false).detail("error", e.getMessage()).build();
        }
    }

    /** Ingest counters as meters of /observe/metrics. */
    private static void registerMetrics(Running running) {
        MeterRegistry registry = Metrics.globalRegistry();
        IngestStats s = running.stats();
        gauge(registry, "cloud_sync_events_applied", s::appliedCount);
        gauge(registry, "cloud_sync_events_duplicate", s::duplicateCount);
        gauge(registry, "cloud_sync_events_dead_lettered", s::deadLetteredCount);
        gauge(registry, "cloud_sync_events_requeued", s::requeuedCount);
    }

    private static void gauge(MeterRegistry registry, String name, Supplier<Long> value) {
        registry.getOrCreate(Gauge.builder(name, value));
    }

    /** A started cloud-sync; close stops HTTP, consumer and publisher and closes the pool. */
    public record Running(WebServer server, EventConsumer consumer, UnsentRepublisher republisher,
                          ConfirmingPublisher publisher, HikariDataSource dataSource, IngestStats stats)
            implements AutoCloseable {
        public int port() {
            return server.port();
        }

        @Override
        public void close() {
            server.stop();
            republisher.close();
            consumer.close();
            publisher.close();
            dataSource.close();
        }
    }
}
