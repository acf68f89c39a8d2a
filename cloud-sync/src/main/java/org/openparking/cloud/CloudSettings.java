package org.openparking.cloud;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;
import static org.openparking.platform.config.ConfigValues.text;

import io.helidon.config.Config;
import java.time.Duration;

/**
 * cloud-sync's configuration, read once in {@link Main}.
 *
 * @param port              HTTP port ({@code server.port}); 0 picks a free one
 * @param dbUrl             PostgreSQL JDBC URL ({@code db.url})
 * @param dbPoolSize        HikariCP pool size ({@code db.pool-size})
 * @param amqpUri           RabbitMQ URI with vhost ({@code amqp.uri})
 * @param prefetch          basicQos per consumer channel ({@code amqp.prefetch})
 * @param consumers         consumer channels/threads ({@code amqp.consumers})
 * @param maxBatch          most deliveries of a channel applied in one transaction ({@code amqp.max-batch})
 * @param offlineAfter      an edge not heard from for this long shows as offline ({@code fleet.offline-after})
 * @param republishInterval how often unsent commands are re-published ({@code commands.republish-interval})
 */
public record CloudSettings(int port, String dbUrl, int dbPoolSize, String amqpUri, int prefetch, int consumers,
                            int maxBatch, Duration offlineAfter, Duration republishInterval) {

    public CloudSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("server.port out of range: " + port);
        }
        if (dbUrl == null || dbUrl.isBlank()) {
            throw new IllegalArgumentException("db.url is required");
        }
        if (amqpUri == null || amqpUri.isBlank()) {
            throw new IllegalArgumentException("amqp.uri is required");
        }
        if (dbPoolSize < 2) {
            throw new IllegalArgumentException("db.pool-size must be at least 2, was " + dbPoolSize);
        }
        if (prefetch < 2) {
            throw new IllegalArgumentException("amqp.prefetch must be more than 1, was " + prefetch);
        }
        if (consumers < 1) {
            throw new IllegalArgumentException("amqp.consumers must be at least 1, was " + consumers);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("amqp.max-batch must be at least 1, was " + maxBatch);
        }
        if (offlineAfter.isNegative() || offlineAfter.isZero()) {
            throw new IllegalArgumentException("fleet.offline-after must be positive, was " + offlineAfter);
        }
        if (republishInterval.isNegative() || republishInterval.isZero()) {
            throw new IllegalArgumentException("commands.republish-interval must be positive, was "
                    + republishInterval);
        }
    }

    /** Maps the configuration (every default is in application.yaml). */
    public static CloudSettings create(Config config) {
        Config db = config.get("db");
        Config amqp = config.get("amqp");
        return new CloudSettings(integer(config.get("server"), "port"), text(db, "url"), integer(db, "pool-size"),
                text(amqp, "uri"), integer(amqp, "prefetch"), integer(amqp, "consumers"), integer(amqp, "max-batch"),
                duration(config.get("fleet"), "offline-after"), duration(config.get("commands"), "republish-interval"));
    }

    /** The same settings on another port, database and broker (tests). */
    public CloudSettings with(int port, String dbUrl, String amqpUri) {
        return new CloudSettings(port, dbUrl, dbPoolSize, amqpUri, prefetch, consumers, maxBatch, offlineAfter,
                republishInterval);
    }
}
