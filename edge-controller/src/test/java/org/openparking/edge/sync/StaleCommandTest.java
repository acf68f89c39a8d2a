package org.openparking.edge.sync;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.EdgeApplication;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.OpenBarrier;
import org.openparking.testing.TestBroker;

/**
 * A remote barrier-open queued while the edge was offline must not lift the barrier when it finally arrives:
 * one issued longer ago than {@code cloud.remote-open-max-age} is receipted as not applied with a
 * {@code STALE_COMMAND} reason and the barrier stays closed, while a fresh one through the same queue opens it.
 */
class StaleCommandTest {

    @Test
    void aBarrierOpenIssuedHoursAgoIsRefusedAndAFreshOneOpens(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.create()) {
            String lot = CloudEdges.uniqueLot();
            String edgeId = Envelope.edgeId(lot, CloudEdges.LEVEL);
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(broker.uri());
            try (Connection cloud = f.newConnection("stale-cloud");
                 EdgeApplication edge = CloudEdges.start(dir, broker.uri(), Map.of("EDGE_LOT_ID", lot),
                         Clock.systemUTC())) {
                Channel ch = cloud.createChannel();
                ch.confirmSelect();
                Topology.declareEdgeQueue(ch, edgeId);
                await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().state()
                        == org.openparking.edge.payment.PaymentLink.State.ONLINE);

                Envelope stale = Envelope.of(edgeId, lot, CloudEdges.LEVEL, 1, Instant.now().minus(Duration.ofHours(3)),
                        new OpenBarrier("out-1", "queued during an outage", "op"));
                send(ch, stale);
                String receipt = await().atMost(Duration.ofSeconds(20)).until(() -> receipt(edge, stale.id()),
                        r -> r != null);
                assertThat(receipt, containsString("\"applied\":false"));
                assertThat(receipt, containsString("STALE_COMMAND"));
                assertThat(CloudEdges.get(edge, "/lanes"), containsString(
                        "\"laneId\":\"out-1\",\"direction\":\"EXIT\",\"barrier\":\"CLOSED\""));
                long versionBefore = CloudEdges.count(edge.database(),
                        "SELECT version FROM lanes WHERE lane_id = 'out-1'");

                Envelope fresh = Envelope.of(edgeId, lot, CloudEdges.LEVEL, 2, Instant.now(),
                        new OpenBarrier("out-1", "operator at the desk", "op"));
                send(ch, fresh);
                String applied = await().atMost(Duration.ofSeconds(20)).until(() -> receipt(edge, fresh.id()),
                        r -> r != null);
                assertThat(applied, containsString("\"applied\":true"));
                await().atMost(Duration.ofSeconds(20)).until(() -> CloudEdges.count(edge.database(),
                        "SELECT version FROM lanes WHERE lane_id = 'out-1'") > versionBefore);
                assertThat(CloudEdges.count(edge.database(), "SELECT COUNT(*) FROM inbox"), is(2L));
            }
        }
    }

    private static void send(Channel ch, Envelope e) throws Exception {
        ch.basicPublish(Topology.EDGE_EXCHANGE, e.edgeId(), AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e),
                "guest"), MessageCodec.encode(e));
        ch.waitForConfirmsOrDie(5_000);
    }

    /** The body of the edge's {@code command.applied} receipt for {@code commandId}, or null. */
    private static String receipt(EdgeApplication edge, String commandId) {
        return edge.database().read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT body FROM outbox WHERE type = 'command.applied' ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String body = new String(rs.getBytes(1), StandardCharsets.UTF_8);
                    if (body.contains(commandId)) {
                        return body;
                    }
                }
                return null;
            }
        });
    }
}
