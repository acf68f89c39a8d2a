package org.openparking.cloud;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.ingest.ConsumerSettings;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * A fresh RabbitMQ vhost and PostgreSQL database, a running cloud-sync on a free port, and a
 * publishing connection that plays the edges.
 */
final class CloudFixture implements AutoCloseable {
    final TestBroker broker;
    final TestDatabase database;
    final Main.Running app;
    final Connection edgeConnection;
    final Channel edge;

    private CloudFixture(TestBroker broker, TestDatabase database, Main.Running app, Connection edgeConnection,
                         Channel edge) {
        this.broker = broker;
        this.database = database;
        this.app = app;
        this.edgeConnection = edgeConnection;
        this.edge = edge;
    }

    static CloudSettings settings(TestBroker broker, TestDatabase database) {
        CloudSettings d = CloudSettings.defaults();
        return new CloudSettings(0, d.db().with(database.url(), 8), d.broker().withUri(broker.uri()),
                new ConsumerSettings(10, 3, 10, d.ingest().requeueBackoffMax()), Duration.ofSeconds(120),
                Duration.ofSeconds(1), d.metricsRefresh());
    }

    static CloudFixture start() throws Exception {
        return start(AfterCommitHook.NONE);
    }

    static CloudFixture start(AfterCommitHook hook) throws Exception {
        return start(org.openparking.cloud.auth.AuthSettings.defaults(), hook);
    }

    static CloudFixture start(org.openparking.cloud.auth.AuthSettings auth, AfterCommitHook hook) throws Exception {
        TestBroker broker = TestBroker.create();
        TestDatabase database = TestDatabase.create();
        Main.Running app = Main.start(settings(broker, database), auth, hook);
        await().atMost(Duration.ofSeconds(20)).until(app.consumer()::isConnected);
        Connection connection = connect(broker);
        Channel channel = connection.createChannel();
        channel.confirmSelect();
        Topology.declareEdgePublishing(channel);
        Topology.declareCloudSync(channel);
        return new CloudFixture(broker, database, app, connection, channel);
    }

    static Connection connect(TestBroker broker) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        return f.newConnection("test-edge");
    }

    /** A platform admin's token (tokens are stateless: no user row is needed to verify one). */
    String adminToken() {
        return app.gateway().tokens().issue("test-admin", org.openparking.cloud.auth.Role.ADMIN, null).token();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + app.port();
    }

    /** Publishes as an edge (routing key edge.*) with confirms. */
    void publishFromEdge(Envelope e) throws IOException, InterruptedException, TimeoutException {
        edge.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(e.lotId(), e.levelId(), e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        edge.waitForConfirmsOrDie(5_000);
    }

    /** Publishes as the payment worker (routing key payment.*) with confirms. */
    void publishFromWorker(Envelope e) throws IOException, InterruptedException, TimeoutException {
        edge.basicPublish(Topology.EVENTS_EXCHANGE, Topology.paymentEventKey(e.lotId(), e.levelId(), e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        edge.waitForConfirmsOrDie(5_000);
    }

    /** Waits until this many deliveries were acked as applied or duplicate. */
    void awaitHandled(long count) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                app.stats().appliedCount() + app.stats().duplicateCount() >= count);
    }

    /** Drains a queue with basicGet. */
    List<GetResponse> drain(String queue) throws IOException {
        List<GetResponse> messages = new ArrayList<>();
        for (GetResponse r = edge.basicGet(queue, true); r != null; r = edge.basicGet(queue, true)) {
            messages.add(r);
        }
        return messages;
    }

    @Override
    public void close() throws Exception {
        try {
            edgeConnection.abort();
            app.close();
        } finally {
            database.close();
            broker.close();
        }
    }
}
