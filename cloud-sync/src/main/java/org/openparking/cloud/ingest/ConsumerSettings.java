package org.openparking.cloud.ingest;

/**
 * How the event consumer runs.
 *
 * @param prefetch   unacknowledged deliveries per consumer channel (basicQos), more than 1
 * @param consumers  consumer channels, each with its own thread: competing consumers on one queue
 * @param maxBatch   most deliveries of one channel applied in one transaction (1 = one per event)
 * @param maxBackoffMillis longest pause before handing a delivery back while PostgreSQL is failing
 */
public record ConsumerSettings(int prefetch, int consumers, int maxBatch, long maxBackoffMillis) {
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
        if (maxBackoffMillis < 1) {
            throw new IllegalArgumentException("maxBackoffMillis must be positive");
        }
    }
}
