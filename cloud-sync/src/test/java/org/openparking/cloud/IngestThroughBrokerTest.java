package org.openparking.cloud;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentStatus;
import org.openparking.platform.amqp.Topology;

/** Idempotency and dead-lettering through the real broker into the real database. */
class IngestThroughBrokerTest {
    private static CloudFixture cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = CloudFixture.start();
    }

    @AfterAll
    static void stop() throws Exception {
        cloud.close();
    }

    @Test
    void sameEnvelopeTwiceIsAppliedOnceAndCountedAsDuplicate() throws Exception {
        Events edge = new Events("idem", "L1");
        Envelope opened = edge.next(Events.opened("idem-s1", "AB-123"));
        long before = cloud.app.stats().duplicateCount();
        long handledBefore = cloud.app.stats().appliedCount() + cloud.app.stats().duplicateCount();

        cloud.publishFromEdge(opened);
        cloud.publishFromEdge(opened);
        cloud.awaitHandled(handledBefore + 2);

        assertThat(cloud.app.stats().duplicateCount(), is(before + 1));
        assertThat(count("SELECT count(*) FROM sessions WHERE session_id = 'idem-s1'"), is(1L));
        assertThat(count("SELECT events_received FROM edges WHERE edge_id = 'idem.L1'"), is(1L));
        assertThat(count("SELECT count(*) FROM inbox WHERE message_id = '" + opened.id() + "'"), is(1L));
    }

    @Test
    void poisonIsDeadLetteredWithItsReasonAndGoodMessagesStillFlow() throws Exception {
        Events edge = new Events("poison", "L1");
        String valid = MessageCodec.encodeToString(edge.next(Events.opened("poison-s1", null)));
        Map<String, String> poison = new HashMap<>();
        poison.put("MALFORMED_JSON", "{not json");
        poison.put("UNKNOWN_TYPE", valid.replace("\"type\":\"session.opened\"", "\"type\":\"session.teleported\""));
        poison.put("UNSUPPORTED_SCHEMA_VERSION", valid.replace("\"schemaVersion\":1", "\"schemaVersion\":2"));
        poison.put("INVALID_PAYLOAD", valid.replace("\"sessionId\":\"poison-s1\"", "\"sessionId\":\"\""));
        poison.put("INVALID_EVENT", valid.replace("\"edgeId\":\"poison.L1\"", "\"edgeId\":\"other.L9\""));
        long deadBefore = cloud.app.stats().deadLetteredCount();

        for (Map.Entry<String, String> p : poison.entrySet()) {
            String id = p.getKey();
            cloud.edge.basicPublish(Topology.EVENTS_EXCHANGE, "edge.poison.L1.session.opened",
                    new AMQP.BasicProperties.Builder().messageId(id).userId("guest").deliveryMode(2).build(),
                    p.getValue().getBytes(StandardCharsets.UTF_8));
        }
        cloud.edge.waitForConfirmsOrDie(5_000);
        Envelope good = edge.next(Events.closed("poison-s1", 0, PaymentStatus.NOT_REQUIRED, null));
        cloud.publishFromEdge(good);

        await().atMost(Duration.ofSeconds(20)).until(() ->
                cloud.app.stats().deadLetteredCount() >= deadBefore + poison.size());
        await().atMost(Duration.ofSeconds(20)).until(() ->
                count("SELECT count(*) FROM sessions WHERE session_id = 'poison-s1' AND status = 'CLOSED'") == 1);
        Map<String, String> reasons = new HashMap<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (GetResponse r : cloud.drain(Topology.DEAD_QUEUE)) {
                reasons.put(r.getProps().getMessageId(),
                        r.getProps().getHeaders().get(Topology.DEAD_REASON_HEADER).toString());
            }
            return reasons.keySet().containsAll(poison.keySet());
        });
        for (String code : poison.keySet()) {
            assertThat(code, reasons.get(code), startsWith(code));
        }
        assertThat(cloud.app.stats().deadLetteredCount(), is(deadBefore + poison.size()));
    }

    static long count(String sql) throws Exception {
        try (Connection c = cloud.database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }


}
