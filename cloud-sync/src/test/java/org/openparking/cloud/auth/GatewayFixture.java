package org.openparking.cloud.auth;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.openparking.cloud.CloudSettings;
import org.openparking.cloud.Main;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Json;
import org.openparking.protocol.MessageCodec;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * A running cloud-sync with its gateway on a fresh vhost and database, an edge-side publishing
 * channel, and a plain HTTP client (java.net.http: it returns on the headers, which the SSE
 * stream needs).
 */
public final class GatewayFixture implements AutoCloseable {
    public final TestBroker broker;
    public final TestDatabase database;
    public final Main.Running app;
    private final Connection edgeConnection;
    public final Channel edge;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

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
        Main.Running app = Main.start(new CloudSettings(0, database.url(), 8, broker.uri(), 10, 2, 10,
                Duration.ofSeconds(120), Duration.ofSeconds(1)), auth, AfterCommitHook.NONE);
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
                AmqpEnvelopes.properties(e), MessageCodec.encode(e));
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
        return r.json().get("token").asText();
    }

    /** Status, headers and body (the SSE stream: headers and whatever came first). */
    public record Response(int status, HttpHeaders headers, String text) {
        public JsonNode json() throws IOException {
            return Json.mapper().readTree(text);
        }

        public String error() throws IOException {
            return text.isEmpty() ? null : json().path("error").asText(null);
        }
    }

    /** GET that must answer 200; its JSON body. */
    public JsonNode getOk(String path, String token) throws Exception {
        Response r = request("GET", path, token, null);
        if (r.status() != 200) {
            throw new AssertionError(path + " answered " + r.status() + ": " + r.text());
        }
        return r.json();
    }

    /** One text field of every element of a JSON array, in order. */
    public static List<String> field(JsonNode list, String name) {
        List<String> out = new java.util.ArrayList<>();
        list.forEach(n -> out.add(n.path(name).asText()));
        return out;
    }

    public Response request(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null && !body.isEmpty()) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null || body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            boolean stream = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
            // A stream never ends: take its first bytes only.
            String text = stream ? new String(in.readNBytes(11), StandardCharsets.UTF_8)
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(r.statusCode(), r.headers(), text);
        }
    }

    public HttpClient http() {
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
