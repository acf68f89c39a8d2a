package org.openparking.payment.worker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.openparking.payment.WorkerSettings;
import org.openparking.protocol.Envelope;
import org.openparking.platform.amqp.Topology;

/**
 * The AMQP side of the worker: one connection, {@code worker.consumers} competing consumers on
 * {@code payments.requests}, each with its own consume channel ({@code basicQos(prefetch)}) and
 * confirm-mode publish channel. Several worker processes can run side by side.
 */
public final class PaymentWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PaymentWorker.class.getName());
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    private final String amqpUri;
    private final WorkerSettings.Worker settings;
    private final PaymentProcessor processor;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Channel> consumeChannels = new ArrayList<>();
    private ExecutorService dispatch;
    private Connection connection;
    private ResultPublisher sharedPublisher;

    public PaymentWorker(String amqpUri, WorkerSettings.Worker settings, PaymentProcessor processor) {
        this.amqpUri = amqpUri;
        this.settings = settings;
        this.processor = processor;
    }

    /** Connects, declares the topology it needs and starts consuming. */
    public synchronized void start() throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(amqpUri);
        } catch (Exception e) {
            throw new IllegalArgumentException("amqp.uri is not a valid AMQP URI", e);
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(2000);
        dispatch = Executors.newFixedThreadPool(settings.consumers() + 1, r -> {
            Thread t = new Thread(r, "payment-consumer");
            t.setDaemon(true);
            return t;
        });
        try {
            connection = factory.newConnection(dispatch, "payment-worker");
        } catch (IOException | TimeoutException | RuntimeException e) {
            dispatch.shutdownNow();
            throw e;
        }
        try (Channel setup = connection.createChannel()) {
            Topology.declarePayments(setup);
            // cloud-sync's queue too: a result published before cloud-sync ever ran must not be dropped.
            Topology.declareCloudSync(setup);
        }
        sharedPublisher = new ResultPublisher(connection.createChannel(), CONFIRM_TIMEOUT);
        running.set(true);
        for (int i = 0; i < settings.consumers(); i++) {
            Channel consume = connection.createChannel();
            consume.basicQos(settings.prefetch());
            ResultPublisher publisher = new ResultPublisher(connection.createChannel(), CONFIRM_TIMEOUT);
            consume.basicConsume(Topology.PAYMENTS_QUEUE, false, "payment-worker-" + i,
                    new RequestConsumer(consume, processor, publisher, settings.holdMax(), running));
            consumeChannels.add(consume);
        }
        LOG.info("payment worker consuming " + Topology.PAYMENTS_QUEUE + " with " + settings.consumers()
                + " consumers, prefetch " + settings.prefetch());
    }

    /** Publishes a result outside a delivery (webhooks), with confirms. */
    public void publish(Envelope result) throws IOException, InterruptedException, TimeoutException {
        ResultPublisher p;
        synchronized (this) {
            p = sharedPublisher;
        }
        if (p == null) {
            throw new IOException("payment worker is not connected");
        }
        synchronized (p) {
            p.publish(result);
        }
    }

    public boolean isConnected() {
        Connection c = connection;
        return c != null && c.isOpen();
    }

    /** Drops the broker connection without a clean close: what a crash looks like to the broker. */
    public void abortConnection() {
        running.set(false);
        Connection c = connection;
        if (c != null) {
            c.abort(1000);
        }
    }

    @Override
    public synchronized void close() {
        running.set(false);
        for (int i = 0; i < consumeChannels.size(); i++) {
            Channel ch = consumeChannels.get(i);
            try {
                if (ch.isOpen()) {
                    ch.basicCancel("payment-worker-" + i);
                }
            } catch (IOException | RuntimeException ignored) {
                // closing anyway; unacked deliveries go back to the queue
            }
        }
        if (connection != null && connection.isOpen()) {
            connection.abort(5000);
        }
        if (dispatch != null) {
            dispatch.shutdownNow();
            try {
                dispatch.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
