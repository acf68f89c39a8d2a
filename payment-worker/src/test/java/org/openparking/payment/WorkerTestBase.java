package org.openparking.payment;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.openparking.payment.worker.CrashPoints;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * Real RabbitMQ (a fresh vhost per class), real PostgreSQL (a fresh database per class) and
 * WireMock for Stripe. Each test gets its own lot id, so its edge queue and its results are its
 * own; workers started by a test are closed after it, and the request queue is purged.
 */
abstract class WorkerTestBase {
    static final String API_KEY = "sk_test_51SuperSecretValue0123456789";
    static final String WEBHOOK_SECRET = "whsec_testsecret0123456789";

    static TestBroker broker;
    static TestDatabase database;
    static WireMockServer stripe;
    static Connection amqp;

    final List<PaymentApplication> apps = new ArrayList<>();
    final AtomicLong seq = new AtomicLong(1);
    String lotId;
    String levelId;
    String edgeId;
    Channel channel;
    final List<Envelope> edgeResults = new CopyOnWriteArrayList<>();
    final List<Envelope> eventResults = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServices() throws Exception {
        broker = TestBroker.create();
        database = TestDatabase.create();
        stripe = new WireMockServer(wireMockConfig().dynamicPort());
        stripe.start();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        amqp = f.newConnection("test");
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (amqp != null) {
            amqp.close();
        }
        if (stripe != null) {
            stripe.stop();
        }
        if (database != null) {
            database.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void perTest() throws IOException {
        stripe.resetAll();
        lotId = "lot" + UUID.randomUUID().toString().substring(0, 8);
        levelId = "L1";
        edgeId = Envelope.edgeId(lotId, levelId);
        channel = amqp.createChannel();
        channel.confirmSelect();
        Topology.declarePayments(channel);
        Topology.declareEdgeQueue(channel, edgeId);
        channel.exchangeDeclare(Topology.EVENTS_EXCHANGE, "topic", true);
        String tap = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(tap, Topology.EVENTS_EXCHANGE, "payment." + lotId + ".#");
        channel.basicConsume(Topology.edgeQueue(edgeId), true, collector(edgeResults));
        channel.basicConsume(tap, true, collector(eventResults));
    }

    @AfterEach
    void closeWorkers() throws Exception {
        for (PaymentApplication app : apps) {
            app.close();
        }
        apps.clear();
        if (channel.isOpen()) {
            channel.queuePurge(Topology.PAYMENTS_QUEUE);
            channel.close();
        }
    }

    private DefaultConsumer collector(List<Envelope> into) {
        return new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, com.rabbitmq.client.Envelope e, AMQP.BasicProperties p,
                                       byte[] body) {
                try {
                    into.add(MessageCodec.decode(body));
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            }
        };
    }

    /** Fast timings for tests: short backoffs, a small breaker window, a short hold. */
    WorkerSettings settings(int consumers) {
        WorkerSettings.Stripe s = new WorkerSettings.Stripe(API_KEY, stripe.baseUrl(), WEBHOOK_SECRET,
                Duration.ofSeconds(5), Duration.ofSeconds(10), 1000, Duration.ofSeconds(5), 3,
                Duration.ofMillis(20), 2.0, Duration.ofMillis(200), 50, 6, 10, Duration.ofMillis(800), false,
                WorkerSettings.defaults().stripe().webhookMaxBody());
        WorkerSettings d = WorkerSettings.defaults();
        return new WorkerSettings(d.broker().withUri(broker.uri()), d.db().with(database.url(), 4), 0, s,
                new WorkerSettings.Worker(consumers, 2, Duration.ofSeconds(30), Duration.ofMillis(100),
                        Duration.ofSeconds(20), Duration.ZERO, Duration.ZERO));
    }

    PaymentApplication startWorker() throws Exception {
        return startWorker(settings(1), CrashPoints.NONE);
    }

    PaymentApplication startWorker(WorkerSettings settings, CrashPoints crashPoints) throws Exception {
        PaymentApplication app = PaymentApplication.start(settings, crashPoints);
        apps.add(app);
        return app;
    }

    PaymentRequested payment(String paymentId) {
        return new PaymentRequested(paymentId, "s-" + paymentId, 500, "EUR", "pm_card_visa", false, "AB-123");
    }

    String newPaymentId() {
        return "pay_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    Envelope send(Message payload) throws Exception {
        Envelope env = Envelope.of(edgeId, lotId, levelId, seq.getAndIncrement(), Instant.now(), payload);
        sendRaw(MessageCodec.encode(env), AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(env), "guest"));
        return env;
    }

    void sendRaw(byte[] body, AMQP.BasicProperties props) throws Exception {
        channel.basicPublish(Topology.PAYMENTS_EXCHANGE, Topology.PAYMENTS_ROUTING_KEY, props, body);
        channel.waitForConfirmsOrDie(5000);
    }

    List<PaymentResult> paymentResults(List<Envelope> from, String paymentId) {
        return from.stream().map(Envelope::payload)
                .filter(p -> p instanceof PaymentResult r && r.paymentId().equals(paymentId))
                .map(PaymentResult.class::cast).toList();
    }

    String storedStatus(String paymentId) throws SQLException {
        try (var c = database.connect();
             PreparedStatement ps = c.prepareStatement("SELECT status FROM payment_results WHERE payment_id = ?")) {
            ps.setString(1, paymentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Messages in a queue right now (ready, not unacked). */
    long ready(String queue) throws IOException {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    /** Fetches (and acks) dead-lettered messages whose message id is the given one. */
    List<GetResponse> deadLettered(String messageId) throws IOException {
        List<GetResponse> found = new ArrayList<>();
        try (Channel ch = amqp.createChannel()) {
            GetResponse r;
            List<Long> others = new ArrayList<>();
            while ((r = ch.basicGet(Topology.DEAD_QUEUE, false)) != null) {
                if (messageId.equals(r.getProps().getMessageId())) {
                    found.add(r);
                    ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
                } else {
                    others.add(r.getEnvelope().getDeliveryTag());
                }
            }
            for (long tag : others) {
                ch.basicNack(tag, false, true);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
        return found;
    }
}
