package org.openparking.cloud;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.Objects;
import org.openparking.cloud.ingest.ConsumerSettings;
import org.openparking.cloud.live.LiveSettings;
import org.openparking.platform.amqp.BrokerSettings;
import org.openparking.platform.config.ParkingConfig;
import org.openparking.platform.jdbc.PostgresSettings;

/**
 * cloud-sync's configuration, read once in {@link Main}.
 *
 * @param port              HTTP port ({@code server.port}); 0 picks a free one
 * @param db                the PostgreSQL pool with its timeouts ({@code db})
 * @param broker            the RabbitMQ connection policy ({@code amqp})
 * @param ingest            the event consumer ({@code amqp.prefetch}, {@code consumers}, {@code max-batch},
 *                          {@code requeue-backoff-max})
 * @param offlineAfter      an edge not heard from for this long shows as offline ({@code fleet.offline-after})
 * @param republishInterval how often unsent commands are re-published ({@code commands.republish-interval})
 * @param metricsRefresh    how often the fleet gauges of /observe/metrics are read from PostgreSQL
 *                          ({@code fleet.metrics-refresh})
 * @param live              live views and their limits ({@code live})
 */
public record CloudSettings(int port, PostgresSettings db, BrokerSettings broker, ConsumerSettings ingest,
                            Duration offlineAfter, Duration republishInterval, Duration metricsRefresh,
                            LiveSettings live) {

    /** With the {@code fleet.metrics-refresh} and {@code live} section of the built-in application.yaml. */
    public CloudSettings(int port, PostgresSettings db, BrokerSettings broker, ConsumerSettings ingest,
                         Duration offlineAfter, Duration republishInterval) {
        this(port, db, broker, ingest, offlineAfter, republishInterval,
                duration(ParkingConfig.defaults().get("fleet"), "metrics-refresh"));
    }

    /** With the {@code live} section of the built-in application.yaml. */
    public CloudSettings(int port, PostgresSettings db, BrokerSettings broker, ConsumerSettings ingest,
                         Duration offlineAfter, Duration republishInterval, Duration metricsRefresh) {
        this(port, db, broker, ingest, offlineAfter, republishInterval, metricsRefresh,
                LiveSettings.create(ParkingConfig.defaults().get("live")));
    }

    public CloudSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("server.port out of range: " + port);
        }
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(broker, "amqp");
        Objects.requireNonNull(ingest, "amqp");
        Objects.requireNonNull(live, "live");
        if (!broker.enabled()) {
            throw new IllegalArgumentException("amqp.uri is required");
        }
        if (db.poolSize() < 2) {
            throw new IllegalArgumentException("db.pool-size must be at least 2, was " + db.poolSize());
        }
        if (offlineAfter.isNegative() || offlineAfter.isZero()) {
            throw new IllegalArgumentException("fleet.offline-after must be positive, was " + offlineAfter);
        }
        if (republishInterval.isNegative() || republishInterval.isZero()) {
            throw new IllegalArgumentException("commands.republish-interval must be positive, was "
                    + republishInterval);
        }
        if (metricsRefresh.isNegative() || metricsRefresh.isZero()) {
            throw new IllegalArgumentException("fleet.metrics-refresh must be positive, was " + metricsRefresh);
        }
    }

    /** Maps the configuration (every default is in application.yaml). */
    public static CloudSettings create(Config config) {
        Config amqp = config.get("amqp");
        return new CloudSettings(integer(config.get("server"), "port"), PostgresSettings.create(config.get("db")),
                BrokerSettings.create(amqp), ConsumerSettings.create(amqp),
                duration(config.get("fleet"), "offline-after"), duration(config.get("commands"), "republish-interval"),
                duration(config.get("fleet"), "metrics-refresh"), LiveSettings.create(config.get("live")));
    }

    /** The built-in application.yaml alone (tests and embedded use). */
    public static CloudSettings defaults() {
        return create(ParkingConfig.defaults());
    }

    /** The same settings on another port, database and broker (tests). */
    public CloudSettings with(int port, String dbUrl, String amqpUri) {
        return new CloudSettings(port, db.with(dbUrl, db.poolSize()), broker.withUri(amqpUri), ingest, offlineAfter,
                republishInterval, metricsRefresh, live);
    }

    /** The same settings with other live-view limits (tests). */
    public CloudSettings withLive(LiveSettings other) {
        return new CloudSettings(port, db, broker, ingest, offlineAfter, republishInterval, metricsRefresh, other);
    }
}
