package org.openparking.platform.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One service's connection to RabbitMQ under the one connection policy of {@link BrokerSettings}: the
 * first connect is retried with backoff, a lost link is recovered by the client (channels, confirm mode,
 * qos, consumers and what was declared on it), each failed attempt is logged with its cause.
 */
public interface BrokerLink extends AutoCloseable {

    /**
     * Connects, retrying with backoff while {@code keepTrying} holds; null when told to stop first.
     *
     * @param name            the connection name shown in the management UI
     * @param consumerPool    threads that run consumers' callbacks; null for the client's own
     * @param failedAttempt   told why each attempt failed (besides the log line); may be null
     */
    static BrokerLink open(BrokerSettings settings, String name, ExecutorService consumerPool,
                           BooleanSupplier keepTrying, Consumer<String> failedAttempt) throws InterruptedException {
        return RecoveringLink.open(settings, name, consumerPool, keepTrying, failedAttempt);
    }

    /** One attempt, for a caller with a retry of its own (start-up of a whole service). */
    static BrokerLink openOnce(BrokerSettings settings, String name, ExecutorService consumerPool)
            throws IOException {
        return RecoveringLink.openOnce(settings, name, consumerPool);
    }

    /** The broker user this link authenticated as: the {@code user_id} its publishes carry. */
    String user();

    /** The client connection, for consumers that register on it. */
    Connection connection();

    Channel createChannel() throws IOException;

    /** Connected and recovered: false from a lost link until the client finished recovering it. */
    boolean isUp();

    /** Called (on the client's thread) when the link is lost, with why. */
    void onDown(Consumer<String> listener);

    /** Called (on the client's thread) after the client recovered the link and its channels. */
    void onRecovered(Runnable listener);

    /** A publisher with its own confirm-mode channel on this link. */
    default ConfirmingPublisher publisher(Duration confirmTimeout) {
        return ConfirmingPublisher.on(this, confirmTimeout);
    }

    /** Closes the connection; unacked deliveries go back to their queues. */
    @Override
    void close();

    /** Drops the connection without a clean close: what a crash looks like to the broker. */
    void abort();
}
