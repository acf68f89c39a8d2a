package org.openparking.cloud.history;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import java.time.Duration;
import java.util.List;
import org.openparking.cloud.Main;
import org.openparking.cloud.TestCloud;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.auth.Role;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/**
 * A cloud-sync on its own vhost and database that a {@link SimulatedDay} was driven through: published as the
 * edges and the payment worker do, consumed by the real ingest one delivery per transaction (so that every state
 * the day had reaches the levels table, as it does live where changes are seconds apart), two tenants:
 * {@code op-a} (operator olga) owns lot A, {@code op-b} (viewer bert) owns lot B. Lot A's site data puts it in
 * New York.
 */
public final class HistoryFixture implements AutoCloseable {
    public static final String ZONE = "America/New_York";
    public static final List<SimulatedDay.Level> LEVELS = List.of(new SimulatedDay.Level("A", "L1", 120),
            new SimulatedDay.Level("A", "L2", 80), new SimulatedDay.Level("B", "L1", 50));

    public final TestBroker broker;
    public final TestDatabase database;
    public final Main.Running app;
    public final SimulatedDay day;
    private final TestCloud cloud;
    private final Channel channel;

    private HistoryFixture(TestCloud cloud, SimulatedDay day) {
        this.cloud = cloud;
        this.broker = cloud.broker;
        this.database = cloud.database;
        this.app = cloud.app();
        this.channel = cloud.edge();
        this.day = day;
    }

    public static HistoryFixture start(long seed) throws Exception {
        TestCloud cloud = TestCloud.start(20, 1, 1, "test-edges",
                s -> Main.start(s, AuthSettings.defaults(), AfterCommitHook.NONE));
        SimulatedDay day = new SimulatedDay(java.time.Instant.now(), LEVELS, seed);
        HistoryFixture fx = new HistoryFixture(cloud, day);
        try {
            Principal setup = new Principal("test-setup", Role.ADMIN, null, null, "setup");
            fx.app.gateway().users().create("olga", "olga-password-1", Role.OPERATOR, "op-a", null);
            fx.app.gateway().users().assignLot("op-a", "A", setup);
            fx.app.gateway().users().create("bert", "bert-password-1", Role.VIEWER, "op-b", null);
            fx.app.gateway().users().assignLot("op-b", "B", setup);
            fx.drive();
            return fx;
        } catch (Exception | Error e) {
            fx.close();
            throw e;
        }
    }

    /** Publishes the whole day and waits until ingest has applied every message. */
    private void drive() throws Exception {
        long before = app.stats().appliedCount();
        int sent = 0;
        for (SimulatedDay.Message m : day.messages) {
            Envelope e = m.envelope();
            String key = m.fromWorker() ? Topology.paymentEventKey(e.lotId(), e.levelId(), e.type())
                    : Topology.edgeEventKey(e.lotId(), e.levelId(), e.type());
            channel.basicPublish(Topology.EVENTS_EXCHANGE, key,
                    AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
            if (++sent % 500 == 0) {
                channel.waitForConfirmsOrDie(30_000);
            }
        }
        channel.waitForConfirmsOrDie(30_000);
        long total = before + sent;
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> app.stats().appliedCount() >= total);
    }

    public String baseUrl() {
        return cloud.baseUrl();
    }

    public String login(String user, String password) throws Exception {
        return cloud.login(user, password);
    }

    /** Lot A's site data, as its operator enters it: the name and time zone the charts use. */
    public void describeLotA(String token) {
        TestHttp.Response r = request("PUT", "/api/v1/lots/A/open-data", token, """
                {"published": false, "name": "Harbour Garage", "lat": 40.70, "lon": -74.01,
                 "timeZone": "%s"}""".formatted(ZONE));
        if (r.status() != 200 && r.status() != 201) {
            throw new IllegalStateException("site data of A: " + r.status() + " " + r.text());
        }
    }

    public JsonNode getOk(String path, String token) {
        TestHttp.Response r = request("GET", path, token, null);
        if (r.status() != 200) {
            throw new AssertionError(path + " answered " + r.status() + ": " + r.text());
        }
        return r.body();
    }

    public TestHttp.Response request(String method, String path, String token, String body, String... headers) {
        List<String> h = new java.util.ArrayList<>(List.of(headers));
        if (token != null) {
            h.add("Authorization");
            h.add("Bearer " + token);
        }
        return cloud.http.send(method, baseUrl() + path, body, h.toArray(String[]::new));
    }

    /** Publishes one more edge event and waits for it to be applied. */
    public void publishFromEdge(Envelope e) throws Exception {
        long before = app.stats().appliedCount();
        channel.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(e.lotId(), e.levelId(), e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        channel.waitForConfirmsOrDie(10_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> app.stats().appliedCount() > before);
    }

    @Override
    public void close() throws Exception {
        cloud.close();
    }
}
