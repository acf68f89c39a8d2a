package org.openparking.cloud;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.List;

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
 * @param offlineAfter      an edge not heard from for this long shows as offline ({@code fleet.offline-after-seconds})
 * @param republishInterval how often unsent commands are re-published ({@code commands.republish-interval-seconds})
 */
public record CloudSettings(int port, String dbUrl, int dbPoolSize, String amqpUri, int prefetch, int consumers,
                            int maxBatch, Duration offlineAfter, Duration republishInterval) {

    /** Every key that an environment variable may override (EDGE_LOT_ID style, see EnvOverrides). */
    public static final List<String> KEYS = List.of("server.port", "server.host", "db.url", "db.pool-size",
            "amqp.uri", "amqp.prefetch", "amqp.consumers", "amqp.max-batch", "fleet.offline-after-seconds",
            "commands.republish-interval-seconds");

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
        if (offlineAfter.isNegative() || offlineAfter.isZero() || republishInterval.isNegative()
                || republishInterval.isZero()) {
            throw new IllegalArgumentException("durations must be positive");
        }
    }

    public static CloudSettings from(Config config) {
        return new CloudSettings(
                config.get("server.port").asInt().orElse(8081),
                config.get("db.url").asString().orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres"),
                config.get("db.pool-size").asInt().orElse(16),
                config.get("amqp.uri").asString().orElse("amqp://guest:guest@127.0.0.1:5672/%2F"),
                config.get("amqp.prefetch").asInt().orElse(50),
                config.get("amqp.consumers").asInt().orElse(4),
                config.get("amqp.max-batch").asInt().orElse(50),
                Duration.ofSeconds(config.get("fleet.offline-after-seconds").asLong().orElse(120L)),
                Duration.ofSeconds(config.get("commands.republish-interval-seconds").asLong().orElse(10L)));
    }

    /** The same settings on another port, database and broker (tests). */
    public CloudSettings with(int port, String dbUrl, String amqpUri) {
        return new CloudSettings(port, dbUrl, dbPoolSize, amqpUri, prefetch, consumers, maxBatch, offlineAfter,
                republishInterval);
    }
}
