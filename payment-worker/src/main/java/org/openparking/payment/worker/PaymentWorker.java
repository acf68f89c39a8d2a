package org.openparking.payment.worker;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.openparking.payment.WorkerSettings;
import org.openparking.platform.amqp.Acknowledger;
import org.openparking.platform.amqp.BrokerLink;
import org.openparking.platform.amqp.BrokerSettings;
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

    private final BrokerSettings broker;
    private final WorkerSettings.Worker settings;
    private final PaymentProcessor processor;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Channel> consumeChannels = new ArrayList<>();
    private ExecutorService dispatch;
    private BrokerLink link;
    private ResultPublisher sharedPublisher;

    public PaymentWorker(BrokerSettings broker, WorkerSettings.Worker settings, PaymentProcessor processor) {
        this.broker = broker;
        this.settings = settings;
        this.processor = processor;
    }

    /** Connects (one attempt: the caller retries the whole start), declares the topology it needs and consumes. */
    public synchronized void start() throws IOException {
        dispatch = Executors.newFixedThreadPool(settings.consumers() + 1, r -> {
            Thread t = new Thread(r, "payment-consumer");
            t.setDaemon(true);
            return t;
        });
        try {
            link = BrokerLink.openOnce(broker, "payment-worker", dispatch);
        } catch (IOException | RuntimeException e) {
            dispatch.shutdownNow();
            throw e;
        }
        boolean declares = declareTopology();
        sharedPublisher = new ResultPublisher(link.publisher(CONFIRM_TIMEOUT), declares);
        running.set(true);
        for (int i = 0; i < settings.consumers(); i++) {
            Channel consume = link.createChannel();
            consume.basicQos(settings.prefetch());
            ResultPublisher publisher = new ResultPublisher(link.publisher(CONFIRM_TIMEOUT), declares);
            Acknowledger acks = Acknowledger.create(consume, link.createChannel(), Topology.PAYMENTS_QUEUE);
            consume.basicConsume(Topology.PAYMENTS_QUEUE, false, "payment-worker-" + i,
                    new RequestConsumer(consume, acks, processor, publisher, settings.holdMax(), running,
                            broker.authors()));
            consumeChannels.add(consume);
        }
        LOG.info("payment worker consuming " + Topology.PAYMENTS_QUEUE + " with " + settings.consumers()
                + " consumers, prefetch " + settings.prefetch());
    }

    /**
     * Declares what the worker uses and returns true; where the broker refuses (the rabbitmq role owns the
     * topology and grants the worker no configure right, so a compromised worker cannot delete or rebind
     * anything) checks passively that it is there and returns false. A missing name fails the start, which
     * the caller retries.
     */
    private boolean declareTopology() throws IOException {
        Channel setup = link.createChannel();
        try {
            Topology.declarePayments(setup);
            Topology.declareRefunds(setup);
            Topology.declareResults(setup);
            // cloud-sync's queue too: a result published before cloud-sync ever ran must not be dropped.
            Topology.declareCloudSync(setup);
            return true;
        } catch (IOException e) {
            if (!Topology.accessRefused(e)) {
                throw e;
            }
            LOG.info("broker refused declarations (" + e.getCause().getMessage() + "): topology is managed by"
                    + " the broker, checking it passively");
            Channel passive = link.createChannel();
            passive.queueDeclarePassive(Topology.PAYMENTS_QUEUE);
            passive.exchangeDeclarePassive(Topology.EVENTS_EXCHANGE);
            passive.exchangeDeclarePassive(Topology.RESULTS_EXCHANGE);
            closeQuietly(passive);
            return false;
        } finally {
            closeQuietly(setup);
        }
    }

    /** Publishes a result outside a delivery (webhooks), with confirms. */
    public void publish(Envelope result) throws IOException {
        ResultPublisher p;
        synchronized (this) {
            p = sharedPublisher;
        }
        if (p == null) {
            throw new IOException("payment worker is not connected");
        }
        p.publish(result);
    }

    public boolean isConnected() {
        BrokerLink l = link;
        return l != null && l.isUp();
    }

    private static void closeQuietly(Channel ch) {
        try {
            ch.close();
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException ignored) {
            // only used for declarations
        }
    }

    /** Drops the broker connection without a clean close: what a crash looks like to the broker. */
    public void abortConnection() {
        running.set(false);
        BrokerLink l = link;
        if (l != null) {
            l.abort();
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
        if (link != null) {
            link.abort();
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
