package org.openparking.cloud.opendata;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.Map;
import org.openparking.cloud.CloudSettings;
import org.openparking.cloud.Main;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.auth.Role;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.ingest.ConsumerSettings;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Json;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/** A running cloud-sync on a fresh vhost and database with these open-data settings, and an edge-side channel. */
final class OpenDataFixture implements AutoCloseable {
    final TestBroker broker;
    final TestDatabase database;
    private final CloudSettings settings;
    private final OpenDataSettings openData;
    private final WebhookSettings webhooks;
    Main.Running app;
    private final Connection edgeConnection;
    private final Channel edge;
    final TestHttp http = TestHttp.create();
    private final Map<String, Long> seqs = new java.util.HashMap<>();

    private OpenDataFixture(TestBroker broker, TestDatabase database, CloudSettings settings,
                            OpenDataSettings openData, WebhookSettings webhooks, Main.Running app,
                            Connection edgeConnection, Channel edge) {
        this.settings = settings;
        this.openData = openData;
        this.webhooks = webhooks;
        this.broker = broker;
        this.database = database;
        this.app = app;
        this.edgeConnection = edgeConnection;
        this.edge = edge;
    }

    static OpenDataFixture start(OpenDataSettings openData) throws Exception {
        return start(openData, WebhookSettings.defaults());
    }

    static OpenDataFixture start(OpenDataSettings openData, WebhookSettings webhooks) throws Exception {
        TestBroker broker = TestBroker.create();
        TestDatabase database = TestDatabase.create();
        CloudSettings d = CloudSettings.defaults();
        CloudSettings settings = new CloudSettings(0, d.db().with(database.url(), 8),
                d.broker().withUri(broker.uri()), new ConsumerSettings(10, 1, 10, d.ingest().requeueBackoffMax()),
                Duration.ofSeconds(120), Duration.ofSeconds(1), d.metricsRefresh());
        Main.Running app = run(settings, openData, webhooks);
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        Connection connection = f.newConnection("test-edge");
        Channel channel = connection.createChannel();
        channel.confirmSelect();
        Topology.declareEdgePublishing(channel);
        Topology.declareCloudSync(channel);
        return new OpenDataFixture(broker, database, settings, openData, webhooks, app, connection, channel);
    }

    private static Main.Running run(CloudSettings settings, OpenDataSettings openData, WebhookSettings webhooks) {
        Main.Running app = Main.start(settings, AuthSettings.defaults(), openData, webhooks, AfterCommitHook.NONE);
        await().atMost(Duration.ofSeconds(20)).until(app.consumer()::isConnected);
        return app;
    }

    /** Stops cloud-sync (as a deploy would) and starts it again on the same database and broker. */
    void restart() {
        app.close();
        app = run(settings, openData, webhooks);
    }

    /** Stops cloud-sync; events an edge sends meanwhile wait in the broker's queue. */
    void stopCloud() {
        app.close();
    }

    void startCloud() {
        app = run(settings, openData, webhooks);
    }

    String url(String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }

    /**
     * An edge of {@code lotId/levelId} reports its availability through the broker, exactly as its relay does,
     * and the test waits until cloud-sync applied it. {@code free} is the edge's word, in range or not.
     */
    void report(String lotId, String levelId, int capacity, int free, String status, Map<VehicleType,
            AvailabilityChanged.TypeCount> byType) throws Exception {
        long before = app.stats().appliedCount();
        send(lotId, levelId, capacity, free, status, byType);
        await().atMost(Duration.ofSeconds(30)).until(() -> app.stats().appliedCount() > before);
    }

    /** As {@link #report}, without waiting: while cloud-sync is stopped the event waits in the broker. */
    void send(String lotId, String levelId, int capacity, int free, String status, Map<VehicleType,
            AvailabilityChanged.TypeCount> byType) throws Exception {
        long seq = seqs.merge(lotId + "/" + levelId, 1L, Long::sum);
        Envelope e = Envelope.of(Envelope.edgeId(lotId, levelId), lotId, levelId, seq,
                java.time.Instant.now(), new AvailabilityChanged(capacity, Math.max(0, capacity - free), free,
                        byType, status, seq, java.time.Instant.now()));
        edge.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(lotId, levelId, e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        edge.waitForConfirmsOrDie(5_000);
    }

    /** The edge of {@code lotId/levelId} sends this event in its sequence, and the test waits until it is applied. */
    void event(String lotId, String levelId, org.openparking.protocol.Message payload) throws Exception {
        long before = app.stats().appliedCount();
        long seq = seqs.merge(lotId + "/" + levelId, 1L, Long::sum);
        Envelope e = Envelope.of(Envelope.edgeId(lotId, levelId), lotId, levelId, seq, java.time.Instant.now(),
                payload);
        edge.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(lotId, levelId, e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        edge.waitForConfirmsOrDie(5_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> app.stats().appliedCount() > before);
    }

    /** The edge of {@code lotId/levelId} sends its periodic health report (a heartbeat: seq 0, no counts). */
    void heartbeat(String lotId, String levelId) throws Exception {
        Envelope e = Envelope.of(Envelope.edgeId(lotId, levelId), lotId, levelId, 0, java.time.Instant.now(),
                new org.openparking.protocol.EdgeStatus("1.0.0", "IN_SYNC", 0, 0));
        edge.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(lotId, levelId, e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        edge.waitForConfirmsOrDie(5_000);
    }

    void createOperator(String username, String password, String operatorId, String... lots) throws Exception {
        app.gateway().users().create(username, password, Role.OPERATOR, operatorId, null);
        for (String lot : lots) {
            app.gateway().users().assignLot(operatorId, lot, new Principal("test-setup", Role.ADMIN, null, null,
                    "setup"));
        }
    }

    /** Logs in over HTTP, as the portal does; the bearer token. */
    String login(String username, String password) throws Exception {
        TestHttp.Response r = http.post(url("/api/v1/auth/login"),
                Json.mapper().writeValueAsString(Map.of("username", username, "password", password)));
        if (r.status() != 200) {
            throw new IllegalStateException("login of " + username + " failed: " + r);
        }
        return r.body().get("token").asText();
    }

    TestHttp.Response put(String path, String token, String json) {
        return http.put(url(path), json, "Authorization", "Bearer " + token);
    }

    TestHttp.Response post(String path, String token, String json) {
        return http.post(url(path), json, "Authorization", "Bearer " + token);
    }

    TestHttp.Response get(String path, String... headers) {
        return http.get(url(path), headers);
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
