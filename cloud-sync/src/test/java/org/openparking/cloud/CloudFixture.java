package org.openparking.cloud;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.openparking.cloud.ingest.AfterCommitHook;
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
    final Channel edge;
    private final TestCloud cloud;

    private CloudFixture(TestCloud cloud) {
        this.cloud = cloud;
        this.broker = cloud.broker;
        this.database = cloud.database;
        this.app = cloud.app();
        this.edge = cloud.edge();
    }

    static CloudSettings settings(TestBroker broker, TestDatabase database) {
        return TestCloud.settings(broker, database, 10, 3, 10);
    }

    static CloudFixture start() throws Exception {
        return start(AfterCommitHook.NONE);
    }

    static CloudFixture start(AfterCommitHook hook) throws Exception {
        return start(org.openparking.cloud.auth.AuthSettings.defaults(), hook);
    }

    static CloudFixture start(org.openparking.cloud.auth.AuthSettings auth, AfterCommitHook hook) throws Exception {
        return new CloudFixture(TestCloud.start(10, 3, 10, "test-edge", s -> Main.start(s, auth, hook)));
    }

    static Connection connect(TestBroker broker) throws Exception {
        return TestCloud.connect(broker, "test-edge");
    }

    /** A platform admin's token (tokens are stateless: no user row is needed to verify one). */
    String adminToken() {
        return app.gateway().tokens().issue("test-admin", org.openparking.cloud.auth.Role.ADMIN, null).token();
    }

    String baseUrl() {
        return cloud.baseUrl();
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
        cloud.close();
    }
}
