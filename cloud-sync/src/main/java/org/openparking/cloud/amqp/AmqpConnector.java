package org.openparking.cloud.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Opens RabbitMQ connections for one broker URI. The amqp-client's automatic recovery reconnects
 * and re-registers channels, qos, confirm mode and consumers after a broken link; the first
 * connection (which automatic recovery does not cover) is retried here with exponential backoff.
 */
public final class AmqpConnector {
    private static final Logger LOG = Logger.getLogger(AmqpConnector.class.getName());

    private final ConnectionFactory factory;
    private final IntervalFunction backoff = IntervalFunction.ofExponentialBackoff(500, 2.0, 15_000);

    public AmqpConnector(String uri) {
        factory = new ConnectionFactory();
        try {
            factory.setUri(uri);
        } catch (URISyntaxException | GeneralSecurityException e) {
            throw new IllegalArgumentException("invalid amqp.uri: " + e.getMessage(), e);
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(2_000);
        factory.setRequestedHeartbeat(15);
        factory.setConnectionTimeout(5_000);
    }

    /** One attempt; fails if the broker cannot be reached now. */
    public Connection connect(String name, ExecutorService consumerPool) throws IOException, TimeoutException {
        return consumerPool == null ? factory.newConnection(name) : factory.newConnection(consumerPool, name);
    }

    /**
     * Retries {@link #connect} with backoff until it succeeds or {@code keepTrying} says stop;
     * returns null when stopped first.
     */
    public Connection connectWithRetry(String name, ExecutorService consumerPool, BooleanSupplier keepTrying)
            throws InterruptedException {
        for (int attempt = 1; keepTrying.getAsBoolean(); attempt++) {
            try {
                return connect(name, consumerPool);
            } catch (IOException | TimeoutException e) {
                long wait = backoff.apply(Math.min(attempt, 10));
                LOG.log(Level.WARNING, "RabbitMQ not reachable for " + name + " (attempt " + attempt + "), retrying in "
                        + wait + " ms: " + e);
                Thread.sleep(wait);
            }
        }
        return null;
    }
}
