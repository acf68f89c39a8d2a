package org.openparking.cloud.auth;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.List;
import org.openparking.cloud.CloudSettings;
import org.openparking.cloud.Main;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.ingest.ConsumerSettings;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Json;
import org.openparking.protocol.MessageCodec;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;
import org.openparking.testing.TestHttp.Response;

/**
 * A running cloud-sync with its gateway on a fresh vhost and database, an edge-side publishing
 * channel, and the tests' HTTP client.
 */
public final class GatewayFixture implements AutoCloseable {
    public final TestBroker broker;
    public final TestDatabase database;
    public final Main.Running app;
    private final Connection edgeConnection;
    public final Channel edge;
    private final TestHttp http = TestHttp.create();

    private GatewayFixture(TestBroker broker, TestDatabase database, Main.Running app, Connection edgeConnection,
                           Channel edge) {
        this.broker = broker;
        this.database = database;
        this.app = app;
        this.edgeConnection = edgeConnection;
        this.edge = edge;
    }

    public static GatewayFixture start(AuthSettings auth) throws Exception {
        TestBroker broker = TestBroker.create();
        TestDatabase database = TestDatabase.create();
        CloudSettings d = CloudSettings.defaults();
        Main.Running app = Main.start(new CloudSettings(0, d.db().with(database.url(), 8),
                d.broker().withUri(broker.uri()), new ConsumerSettings(10, 2, 10, d.ingest().requeueBackoffMax()),
                Duration.ofSeconds(120), Duration.ofSeconds(1), d.metricsRefresh()), auth, AfterCommitHook.NONE);
        await().atMost(Duration.ofSeconds(20)).until(app.consumer()::isConnected);
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        Connection connection = f.newConnection("test-edge");
        Channel channel = connection.createChannel();
        channel.confirmSelect();
        Topology.declareEdgePublishing(channel);
        Topology.declareCloudSync(channel);
        return new GatewayFixture(broker, database, app, connection, channel);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + app.port();
    }

    /** Publishes exactly as an edge's relay does. */
    public void publishFromEdge(Envelope e) throws Exception {
        edge.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(e.lotId(), e.levelId(), e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        edge.waitForConfirmsOrDie(5_000);
    }

    public void awaitApplied(long count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> app.stats().appliedCount() >= count);
    }

    public void createUser(String username, String password, Role role, String operatorId) throws Exception {
        app.gateway().users().create(username, password, role, operatorId, null);
    }

    public void assignLot(String operatorId, String lotId) throws Exception {
        app.gateway().users().assignLot(operatorId, lotId,
                new Principal("test-setup", Role.ADMIN, null, null, "setup"));
    }

    /** Logs in over HTTP and returns the token. */
    public String login(String username, String password) throws Exception {
        Response r = request("POST", "/api/v1/auth/login", null,
                Json.mapper().writeValueAsString(java.util.Map.of("username", username, "password", password)));
        if (r.status() != 200) {
            throw new IllegalStateException("login of " + username + " failed: " + r.status() + " " + r.text());
        }
        return r.body().get("token").asText();
    }

    /** GET that must answer 200; its JSON body. */
    public JsonNode getOk(String path, String token) throws Exception {
        Response r = request("GET", path, token, null);
        if (r.status() != 200) {
            throw new AssertionError(path + " answered " + r.status() + ": " + r.text());
        }
        return r.body();
    }

    /** One text field of every element of a JSON array, in order. */
    public static List<String> field(JsonNode list, String name) {
        List<String> out = new java.util.ArrayList<>();
        list.forEach(n -> out.add(n.path(name).asText()));
        return out;
    }

    /** {@code token} null: anonymous. An event stream's response holds its first line only. */
    public Response request(String method, String path, String token, String body) {
        String[] auth = token == null ? new String[0] : new String[] {"Authorization", "Bearer " + token};
        return http.send(method, baseUrl() + path, body, auth);
    }

    public TestHttp http() {
        return http;
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
