package org.openparking.cloud.auth;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import java.time.Duration;
import java.util.List;
import org.openparking.cloud.Main;
import org.openparking.cloud.TestCloud;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.protocol.Envelope;
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
    public final Channel edge;
    private final TestCloud cloud;

    private GatewayFixture(TestCloud cloud) {
        this.cloud = cloud;
        this.broker = cloud.broker;
        this.database = cloud.database;
        this.app = cloud.app();
        this.edge = cloud.edge();
    }

    public static GatewayFixture start(AuthSettings auth) throws Exception {
        return new GatewayFixture(TestCloud.start(10, 2, 10, "test-edge",
                s -> Main.start(s, auth, AfterCommitHook.NONE)));
    }

    public String baseUrl() {
        return cloud.baseUrl();
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
        return cloud.login(username, password);
    }

    /** A token of {@code username} with {@code role} for {@code operatorId}, which is given {@code lotId}. */
    public String tenantToken(String username, Role role, String operatorId, String lotId) throws Exception {
        assignLot(operatorId, lotId);
        return app.gateway().tokens().issue(username, role, operatorId).token();
    }

    /** A platform admin's token (tokens are stateless: no user row is needed to verify one). */
    public String platformToken() {
        return app.gateway().tokens().issue("root", Role.ADMIN, null).token();
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
        return cloud.http.send(method, baseUrl() + path, body, auth);
    }

    public TestHttp http() {
        return cloud.http;
    }

    @Override
    public void close() throws Exception {
        cloud.close();
    }
}
