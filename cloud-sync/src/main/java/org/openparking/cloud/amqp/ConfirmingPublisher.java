package org.openparking.cloud.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.openparking.platform.amqp.Topology;

/**
 * Publishes with publisher confirms on one channel of its own connection. A call returns only
 * after the broker confirmed every message of the batch, and throws otherwise; the caller then
 * keeps its rows unsent. The channel is not thread-safe, so calls are serialized.
 */
public final class ConfirmingPublisher implements AutoCloseable {
    private final AmqpConnector connector;
    private final long confirmTimeoutMillis;
    private Connection connection;
    private Channel channel;

    public ConfirmingPublisher(AmqpConnector connector, long confirmTimeoutMillis) {
        this.connector = connector;
        this.confirmTimeoutMillis = confirmTimeoutMillis;
    }

    /** Publishes every message and waits for all confirms. */
    public synchronized void publish(List<Outgoing> messages) throws IOException {
        try {
            Channel ch = channel();
            for (Outgoing m : messages) {
                if (m.edgeQueue() != null) {
                    Topology.declareEdgeQueue(ch, m.edgeQueue());
                }
                if (Topology.PAYMENTS_EXCHANGE.equals(m.exchange())) {
                    Topology.declarePayments(ch);
                }
                ch.basicPublish(m.exchange(), m.routingKey(), m.properties(), m.body());
            }
            ch.waitForConfirmsOrDie(confirmTimeoutMillis);
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            resetChannel();
            throw e instanceof IOException io ? io : new IOException("publish not confirmed: " + e, e);
        }
    }

    /** Declares an edge's command queue. */
    public synchronized void declareEdgeQueue(String edgeId) throws IOException {
        try {
            Topology.declareEdgeQueue(channel(), edgeId);
        } catch (IOException | TimeoutException | RuntimeException e) {
            resetChannel();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    /** Number of messages in a queue, or -1 when the broker cannot be asked. */
    public synchronized long messageCount(String queue) {
        try {
            return channel().queueDeclarePassive(queue).getMessageCount();
        } catch (IOException | TimeoutException | RuntimeException e) {
            resetChannel();
            return -1;
        }
    }

    private Channel channel() throws IOException, TimeoutException {
        if (connection == null || !connection.isOpen()) {
            connection = connector.connect("cloud-sync-publisher", null);
            channel = null;
        }
        if (channel == null || !channel.isOpen()) {
            channel = connection.createChannel();
            channel.confirmSelect();
        }
        return channel;
    }

    private void resetChannel() {
        Channel ch = channel;
        channel = null;
        if (ch != null && ch.isOpen()) {
            try {
                ch.abort();
            } catch (IOException ignored) {
                // the channel is being dropped anyway
            }
        }
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.abort(2_000);
        }
    }
}
