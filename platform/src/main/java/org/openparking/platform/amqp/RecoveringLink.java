package org.openparking.platform.amqp;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@link BrokerLink} on the amqp-client's automatic recovery; the first connect is a resilience4j retry. */
final class RecoveringLink implements BrokerLink {
    private static final Logger LOG = Logger.getLogger(RecoveringLink.class.getName());

    private final Connection connection;
    private final String name;
    private final String user;
    private final List<Consumer<String>> downListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> recoveredListeners = new CopyOnWriteArrayList<>();
    private volatile boolean up = true;

    private RecoveringLink(Connection connection, String name, String user) {
        this.connection = connection;
        this.name = name;
        this.user = user;
        connection.addShutdownListener(cause -> {
            up = false;
            String why = describe(cause);
            if (!cause.isInitiatedByApplication()) {
                LOG.warning(() -> "broker link " + name + " lost: " + why + "; recovering");
            }
            downListeners.forEach(l -> l.accept(why));
        });
        ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                up = true;
                LOG.info(() -> "broker link " + name + " recovered (node " + node(connection) + ")");
                recoveredListeners.forEach(Runnable::run);
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                // logged when the link went down
            }
        });
    }

    static ConnectionFactory factory(BrokerSettings settings, String name) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("no broker URI is configured");
        }
        ConnectionFactory f = new ConnectionFactory();
        try {
            f.setUri(settings.uri());
        } catch (Exception e) {
            throw new IllegalStateException("checked by BrokerSettings", e);
        }
        f.setRequestedHeartbeat((int) Math.max(1, settings.heartbeat().toSeconds()));
        f.setConnectionTimeout((int) settings.connectionTimeout().toMillis());
        f.setHandshakeTimeout((int) settings.connectionTimeout().toMillis());
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        IntervalFunction backoff = backoff(settings);
        f.setRecoveryDelayHandler(attempt -> backoff.apply(attempt + 1));
        f.setExceptionHandler(new DefaultExceptionHandler() {
            @Override
            public void handleConnectionRecoveryException(Connection conn, Throwable exception) {
                LOG.warning(() -> "broker link " + name + ": recovery attempt failed: " + describe(exception)
                        + "; trying again");
            }
        });
        return f;
    }

    static IntervalFunction backoff(BrokerSettings settings) {
        return IntervalFunction.ofExponentialBackoff(settings.backoffInitial(), 2.0, settings.backoffMax());
    }

    static BrokerLink openOnce(BrokerSettings settings, String name, ExecutorService pool) throws IOException {
        ConnectionFactory f = factory(settings, name);
        try {
            Connection c = connect(f, settings.addresses(), pool, name);
            return new RecoveringLink(c, name, f.getUsername());
        } catch (TimeoutException e) {
            throw new IOException("connecting to the broker timed out", e);
        }
    }

    /**
     * One connect: to the URI's host and port, or to the first of the node list that answers. amqp-client 5.37
     * shuffles a list of two or more ({@code AddressResolver#maybeShuffle}) on the first connect and on every
     * recovery, so the services of a lot spread over the nodes and a recovery does not wait on a dead first node
     * before trying the others.
     */
    private static Connection connect(ConnectionFactory f, List<Address> nodes, ExecutorService pool, String name)
            throws IOException, TimeoutException {
        if (nodes.isEmpty()) {
            return pool == null ? f.newConnection(name) : f.newConnection(pool, name);
        }
        return pool == null ? f.newConnection(nodes, name) : f.newConnection(pool, nodes, name);
    }

    /** {@code host:port} of the node a connection is on (one of a node list's). */
    static String node(Connection c) {
        return c.getAddress().getHostAddress() + ":" + c.getPort();
    }

    static BrokerLink open(BrokerSettings settings, String name, ExecutorService pool, BooleanSupplier keepTrying,
                           Consumer<String> failedAttempt) throws InterruptedException {
        ConnectionFactory f = factory(settings, name);
        Retry retry = Retry.of(name, RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(backoff(settings))
                .retryOnException(e -> e instanceof IOException && keepTrying.getAsBoolean())
                .failAfterMaxAttempts(false)
                .build());
        retry.getEventPublisher().onRetry(e -> {
            String why = describe(e.getLastThrowable());
            LOG.warning(() -> "cannot reach the broker for " + name + " (attempt " + e.getNumberOfRetryAttempts()
                    + "): " + why + "; retrying in " + e.getWaitInterval().toMillis() + " ms");
            if (failedAttempt != null) {
                failedAttempt.accept(why);
            }
        });
        try {
            Connection c = retry.executeCheckedSupplier(() -> {
                if (!keepTrying.getAsBoolean()) {
                    return null;
                }
                try {
                    return connect(f, settings.addresses(), pool, name);
                } catch (TimeoutException e) {
                    throw new IOException("connecting to the broker timed out", e);
                }
            });
            if (c == null) {
                return null;
            }
            LOG.info(() -> "connected to the broker as " + name + " (node " + node(c) + ")");
            return new RecoveringLink(c, name, f.getUsername());
        } catch (InterruptedException e) {
            throw e;
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped while connecting to the broker");
            }
            return null; // told to stop
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public Channel createChannel() throws IOException {
        Channel ch = connection.createChannel();
        if (ch == null) {
            throw new IOException("no channel available on " + name);
        }
        return ch;
    }

    @Override
    public boolean isUp() {
        return up && connection.isOpen();
    }

    @Override
    public void onDown(Consumer<String> listener) {
        downListeners.add(listener);
    }

    @Override
    public void onRecovered(Runnable listener) {
        recoveredListeners.add(listener);
    }

    @Override
    public void close() {
        if (connection.isOpen()) {
            try {
                connection.close(2_000);
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "clean close failed, aborting", e);
            }
        }
        connection.abort(1_000);
    }

    @Override
    public void abort() {
        connection.abort(1_000);
    }

    static String describe(Throwable e) {
        if (e instanceof ShutdownSignalException s && s.getReason() != null) {
            return s.getReason().protocolMethodName() + ": " + s.getMessage();
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
