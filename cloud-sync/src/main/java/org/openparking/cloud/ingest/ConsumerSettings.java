package org.openparking.cloud.ingest;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * How the event consumer runs (keys of the {@code amqp} section).
 *
 * @param prefetch          unacknowledged deliveries per consumer channel (basicQos, {@code prefetch}), more than 1
 * @param consumers         consumer channels, each with its own thread: competing consumers on one queue
 *                          ({@code consumers})
 * @param maxBatch          most deliveries of one channel applied in one transaction, 1 = one per event
 *                          ({@code max-batch})
 * @param requeueBackoffMax longest pause before handing a delivery back while PostgreSQL is failing
 *                          ({@code requeue-backoff-max})
 */
public record ConsumerSettings(int prefetch, int consumers, int maxBatch, Duration requeueBackoffMax) {
    public ConsumerSettings {
        if (prefetch < 2) {
            throw new IllegalArgumentException("amqp.prefetch must be more than 1, was " + prefetch);
        }
        if (consumers < 1) {
            throw new IllegalArgumentException("amqp.consumers must be at least 1, was " + consumers);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("amqp.max-batch must be at least 1, was " + maxBatch);
        }
        Objects.requireNonNull(requeueBackoffMax, "amqp.requeue-backoff-max");
        if (requeueBackoffMax.isNegative() || requeueBackoffMax.isZero()) {
            throw new IllegalArgumentException("amqp.requeue-backoff-max must be positive, was " + requeueBackoffMax);
        }
    }

    /** Maps cloud-sync's {@code amqp} section (every default is in application.yaml). */
    public static ConsumerSettings create(Config amqp) {
        return new ConsumerSettings(integer(amqp, "prefetch"), integer(amqp, "consumers"), integer(amqp, "max-batch"),
                duration(amqp, "requeue-backoff-max"));
    }
}
