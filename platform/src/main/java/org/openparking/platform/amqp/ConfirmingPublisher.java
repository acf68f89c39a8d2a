package org.openparking.platform.amqp;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Publishes with publisher confirms: a call returns only after the broker confirmed every message of
 * the batch, and throws otherwise (the caller then keeps its rows unsent and tries again later).
 * Calls are serialized (a channel is not thread-safe).
 */
public interface ConfirmingPublisher extends AutoCloseable {

    /** Something declared on the publisher's channel before a batch (an edge's queue, so a command waits in it). */
    @FunctionalInterface
    interface Declaration {
        void declare(Channel channel) throws IOException;
    }

    /** A publisher with a confirm-mode channel of its own on {@code link}. */
    static ConfirmingPublisher on(BrokerLink link, Duration confirmTimeout) {
        return new ChannelPublisher(() -> link, confirmTimeout);
    }

    /**
     * A publisher that opens its link on first use (one attempt per call, so a caller is never held up
     * by a broker that is down) and keeps it.
     */
    static ConfirmingPublisher lazy(BrokerSettings settings, String name, Duration confirmTimeout) {
        return new ChannelPublisher(new ChannelPublisher.LazyLink(settings, name), confirmTimeout);
    }

    /** Publishes every message and waits for all confirms. */
    default void publish(List<Outgoing> messages) throws IOException {
        publish(null, messages);
    }

    /** Runs {@code before} (may be null), publishes every message and waits for all confirms. */
    void publish(Declaration before, List<Outgoing> messages) throws IOException;

    /** Runs {@code declaration} on the publisher's channel now. */
    void declare(Declaration declaration) throws IOException;

    /** Messages ready in {@code queue}, or -1 when the broker cannot be asked now. */
    long messageCount(String queue);

    @Override
    void close();
}
