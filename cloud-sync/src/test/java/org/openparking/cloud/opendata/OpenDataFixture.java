package org.openparking.cloud.opendata;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import java.time.Duration;
import java.util.Map;
import org.openparking.cloud.Main;
import org.openparking.cloud.TestCloud;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.auth.Role;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/** A running cloud-sync on a fresh vhost and database with these open-data settings, and an edge-side channel. */
final class OpenDataFixture implements AutoCloseable {
    final TestBroker broker;
    final TestDatabase database;
    Main.Running app;
    private final TestCloud cloud;
    private final Channel edge;
    final TestHttp http;
    private final Map<String, Long> seqs = new java.util.HashMap<>();

    private OpenDataFixture(TestCloud cloud) {
        this.cloud = cloud;
        this.broker = cloud.broker;
        this.database = cloud.database;
        this.app = cloud.app();
        this.edge = cloud.edge();
        this.http = cloud.http;
    }

    static OpenDataFixture start(OpenDataSettings openData) throws Exception {
        return start(openData, WebhookSettings.defaults());
    }

    static OpenDataFixture start(OpenDataSettings openData, WebhookSettings webhooks) throws Exception {
        return new OpenDataFixture(TestCloud.start(10, 1, 10, "test-edge",
                s -> Main.start(s, AuthSettings.defaults(), openData, webhooks, AfterCommitHook.NONE)));
    }

    /** Stops cloud-sync (as a deploy would) and starts it again on the same database and broker. */
    void restart() throws Exception {
        cloud.stopApp();
        app = cloud.startApp();
    }

    /** Stops cloud-sync; events an edge sends meanwhile wait in the broker's queue. */
    void stopCloud() {
        cloud.stopApp();
    }

    void startCloud() throws Exception {
        app = cloud.startApp();
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
        return cloud.login(username, password);
    }

    /** The tokens of two tenants: olga operates lot A (op-a), bob lot B (op-b). */
    record Tenants(String olga, String bob) {
    }

    Tenants operatorsOfAAndB() throws Exception {
        createOperator("olga", "olga-password-1", "op-a", "A");
        createOperator("bob", "bob-password-1", "op-b", "B");
        return new Tenants(login("olga", "olga-password-1"), login("bob", "bob-password-1"));
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
        cloud.close();
    }
}
