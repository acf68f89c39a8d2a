package org.openparking.edge.sync;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.EdgeApplication;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Authors;
import org.openparking.platform.amqp.DeadLetters;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.UpdateTariff;
import org.openparking.testing.TestBroker;

/**
 * The edge under its own broker user (shaped like the rabbitmq role's), trusting nobody: a command
 * applies only from cloud-sync's user and a payment result only from the worker's; the rest is
 * dead-lettered by the edge itself (under its own identity, though the message carries another user's
 * {@code user_id}) and SQLite does not change. The edge's own publishes carry its user.
 */
class EdgeIdentityAttackTest {
    private TestBroker broker;
    private Connection admin;
    private Channel adminChannel;
    private String lot;
    private String edgeId;
    private String edgeUser;
    private String cloudUser;
    private String workerUser;
    private final Map<String, GetResponse> dead = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        broker = TestBroker.create();
        String run = UUID.randomUUID().toString().substring(0, 8);
        lot = CloudEdges.uniqueLot();
        edgeId = Envelope.edgeId(lot, CloudEdges.LEVEL);
        edgeUser = Authors.edgeUser(lot, CloudEdges.LEVEL);
        cloudUser = "cloud-sync-" + run;
        workerUser = "payment-worker-" + run;
        String queue = "edge\\." + lot + "\\." + CloudEdges.LEVEL;
        broker.addUser(edgeUser, "pw", "^" + queue + "$", "^(parking\\.events|parking\\.payments|parking\\.dlx)$",
                "^" + queue + "$");
        broker.setTopicPermissions(edgeUser, Topology.EVENTS_EXCHANGE, "^" + queue + "\\.", "^$");
        broker.addUser(cloudUser, "pw", "^$", "^parking\\.edge$", "^$");
        broker.addUser(workerUser, "pw", "^$", "^parking\\.edge$", "^$");
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        admin = f.newConnection("identity-admin");
        adminChannel = admin.createChannel();
        Topology.declareEdgePublishing(adminChannel);
        Topology.declareEdgeQueue(adminChannel, edgeId);
        adminChannel.queueDeclare("tap", true, false, false, Topology.quorum(null));
        adminChannel.queueBind("tap", Topology.EVENTS_EXCHANGE, "edge." + lot + ".#");
    }

    @AfterEach
    void tearDown() {
        admin.abort();
        broker.close();
    }

    private Envelope send(String user, Message payload, long seq) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri(user, "pw"));
        try (Connection c = f.newConnection("identity-" + user)) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            Envelope e = Envelope.of(edgeId, lot, CloudEdges.LEVEL, seq, Instant.now(), payload);
            ch.basicPublish(Topology.EDGE_EXCHANGE, edgeId, AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), user),
                    MessageCodec.encode(e));
            ch.waitForConfirmsOrDie(5_000);
            return e;
        }
    }

    private GetResponse deadLetter(String messageId) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (GetResponse r; (r = adminChannel.basicGet(Topology.DEAD_QUEUE, true)) != null; ) {
                dead.put(r.getProps().getMessageId(), r);
            }
            return dead.get(messageId);
        }, notNullValue());
    }

    private static String reason(GetResponse r) {
        return String.valueOf(r.getProps().getHeaders().get(Topology.DEAD_REASON_HEADER));
    }

    @Test
    void commandsOnlyFromCloudSyncAndResultsOnlyFromTheWorker(@TempDir Path dir) throws Exception {
        String uri = broker.uri(edgeUser, "pw");
        try (EdgeApplication edge = CloudEdges.start(dir, uri, Map.of("EDGE_LOT_ID", lot), Clock.systemUTC(),
                CloudEdges.sync(uri).withAuthors(new Authors(cloudUser, workerUser, Set.of())))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().state()
                    == org.openparking.edge.payment.PaymentLink.State.ONLINE);
            long tariffBefore = CloudEdges.count(edge.database(), "SELECT MAX(version) FROM tariffs");

            Envelope fromWorker = send(workerUser, new UpdateTariff(new Tariff(7, "EUR", 0, 1, 1, 1, 1)), 1);
            Envelope fromCloud = send(cloudUser, new PaymentResult("pay-x", "s-x", PaymentResult.Outcome.PAID, 100,
                    "EUR", "pi_x", null, null, false), 2);
            GetResponse forgedCommand = deadLetter(fromWorker.id());
            assertThat(reason(forgedCommand), startsWith("WRONG_AUTHOR"));
            // Dead-lettered by the edge under its own identity; the original author is kept in a header.
            assertThat(forgedCommand.getProps().getUserId(), is((String) null));
            assertThat(String.valueOf(forgedCommand.getProps().getHeaders().get(DeadLetters.ORIGINAL_USER_HEADER)),
                    is(workerUser));
            assertThat(reason(deadLetter(fromCloud.id())), startsWith("WRONG_AUTHOR"));
            assertThat(CloudEdges.count(edge.database(), "SELECT COUNT(*) FROM inbox"), is(0L));
            assertThat(CloudEdges.count(edge.database(), "SELECT MAX(version) FROM tariffs"), is(tariffBefore));

            // The same command from cloud-sync's user is applied, and the edge reports it as itself.
            send(cloudUser, new UpdateTariff(new Tariff(7, "EUR", 10, 30, 250, 2000, 4000)), 3);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    CloudEdges.count(edge.database(), "SELECT MAX(version) FROM tariffs") == 7L);
            GetResponse applied = await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (GetResponse r; (r = adminChannel.basicGet("tap", true)) != null; ) {
                    if ("command.applied".equals(r.getProps().getType())) {
                        return r;
                    }
                }
                return null;
            }, notNullValue());
            assertThat(applied.getProps().getUserId(), is(edgeUser));
            assertThat(edge.sync().state(), is(org.openparking.edge.payment.PaymentLink.State.ONLINE));
        }
    }
}
