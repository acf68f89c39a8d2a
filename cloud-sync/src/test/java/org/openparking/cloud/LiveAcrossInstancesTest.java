package org.openparking.cloud;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.Role;
import org.openparking.cloud.auth.TokenService;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.live.LiveSettings;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/**
 * Two cloud-sync instances on one database, each on a broker of its own so that only A ever ingests: what A
 * commits reaches a stream client of B, a token revoked through A is refused by B and B's stream of it ends,
 * and B's stream limit answers a JSON 503.
 */
class LiveAcrossInstancesTest {
    private static TestBroker brokerA;
    private static TestBroker brokerB;
    private static TestDatabase database;
    private static Path key;
    private static Main.Running a;
    private static Main.Running b;
    private static Connection edgeConnection;
    private static Channel edge;
    private static final TestHttp HTTP = TestHttp.create();

    @BeforeAll
    static void start() throws Exception {
        brokerA = TestBroker.create();
        brokerB = TestBroker.create();
        database = TestDatabase.create();
        key = Files.createTempFile("cloud-key", ".jwk");
        Files.writeString(key, TokenService.generate().toJSONString());
        AuthSettings d = AuthSettings.defaults();
        // One signing key for both, as a deployment of several instances has.
        AuthSettings auth = new AuthSettings(d.issuer(), d.audience(), d.tokenTtl(), d.clockSkew(), key.toString(),
                d.bootstrapAdminUser(), d.bootstrapAdminPassword(), d.loginPerMinute(), d.loginPerAddressPerMinute(),
                d.apiPerSecond(), d.apiBurst(), d.maxBodyBytes(), d.trustedProxies());
        a = Main.start(CloudFixture.settings(brokerA, database), auth, AfterCommitHook.NONE);
        CloudSettings bSettings = CloudFixture.settings(brokerB, database);
        LiveSettings live = bSettings.live();
        // A short keep-alive, so B notices quickly that a test's stream client has gone.
        b = Main.start(bSettings.withLive(new LiveSettings(2, live.streamBuffer(), Duration.ofMillis(200),
                live.viewMaxAge(), live.feedRetry())), auth, AfterCommitHook.NONE);
        await().atMost(Duration.ofSeconds(20)).until(() -> a.consumer().isConnected()
                && a.gateway().feed().isLive() && b.gateway().feed().isLive());
        edgeConnection = CloudFixture.connect(brokerA);
        edge = edgeConnection.createChannel();
        edge.confirmSelect();
        Topology.declareEdgePublishing(edge);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            edgeConnection.abort();
            a.close();
            b.close();
        } finally {
            database.close();
            brokerA.close();
            brokerB.close();
            Files.deleteIfExists(key);
        }
    }

    private static String url(Main.Running app, String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }

    private static void publish(Envelope e) throws Exception {
        edge.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(e.lotId(), e.levelId(), e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        edge.waitForConfirmsOrDie(5_000);
    }

    /** The next line of {@code lines} that contains {@code text}, within a minute. */
    private static String lineWith(Iterator<String> lines, String text) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.contains(text)) {
                    return line;
                }
            }
            return null;
        }).get(60, TimeUnit.SECONDS);
    }

    @Test
    void aChangeCommittedThroughAReachesAStreamClientOfB() throws Exception {
        String token = b.gateway().tokens().issue("viewer-1", Role.VIEWER, null).token();
        Events level = new Events("live", "L1");
        try (TestHttp.Streaming stream = HTTP.stream(url(b, "/api/v1/stream?access_token=" + token))) {
            assertThat(stream.status(), is(200));
            Iterator<String> lines = stream.lines().iterator();
            lineWith(lines, ": connected");
            publish(level.next(Events.availability(41, 1)));

            String data = lineWith(lines, "\"lotId\":\"live\"");
            assertThat(data, data.contains("\"occupied\":41"), is(true));
            // B never consumed it: it came from A's commit through PostgreSQL.
            assertThat(b.stats().appliedCount(), is(0L));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> b.gateway().levels().ofLot("live").size() == 1);
        assertThat(b.gateway().levels().ofLot("live").getFirst().version(), is(1L));
    }

    @Test
    void aTokenRevokedThroughAIsRefusedByBAndItsStreamOnBEnds() throws Exception {
        String token = a.gateway().tokens().issue("leaver", Role.VIEWER, null).token();
        assertThat(HTTP.get(url(b, "/api/v1/lots"), "Authorization", "Bearer " + token).status(), is(200));
        try (TestHttp.Streaming stream = HTTP.stream(url(b, "/api/v1/stream?access_token=" + token))) {
            assertThat(stream.status(), is(200));
            Iterator<String> lines = stream.lines().iterator();
            lineWith(lines, ": connected");

            TestHttp.Response logout = HTTP.post(url(a, "/api/v1/auth/logout"), "{}", "Authorization",
                    "Bearer " + token);
            assertThat(logout.text(), logout.status(), is(200));

            String end = lineWith(lines, "TOKEN_REVOKED");
            assertThat(end, notNullValue());
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                HTTP.get(url(b, "/api/v1/lots"), "Authorization", "Bearer " + token).status() == 401);
    }

    @Test
    void aStreamBeyondTheInstanceLimitIsAJson503() throws Exception {
        String token = b.gateway().tokens().issue("crowd", Role.VIEWER, null).token();
        String streamUrl = url(b, "/api/v1/stream?access_token=" + token);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.gateway().stream().clientCount() == 0);
        try (TestHttp.Streaming one = HTTP.stream(streamUrl); TestHttp.Streaming two = HTTP.stream(streamUrl)) {
            assertThat(one.status(), is(200));
            assertThat(two.status(), is(200));
            await().atMost(Duration.ofSeconds(10)).until(() -> b.gateway().stream().clientCount() == 2);

            TestHttp.Response third = HTTP.get(streamUrl);
            assertThat(third.text(), third.status(), is(503));
            assertThat(third.error(), is("STREAMS_FULL"));
            assertThat(third.header("Retry-After"), notNullValue());
        }
    }
}
