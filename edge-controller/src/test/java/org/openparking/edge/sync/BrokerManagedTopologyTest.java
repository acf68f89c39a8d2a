package org.openparking.edge.sync;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.EdgeApplication;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;

/**
 * The permission model of the Ansible rabbitmq role: the broker owns the topology, and an edge's user
 * may configure and read only its own queue and write only to the two exchanges it publishes to. The
 * edge's declarations are refused (403); it must fall back to checking passively and still deliver.
 */
class BrokerManagedTopologyTest {

    @Test
    void anEdgeThatMayNotDeclareSharedNamesStillDeliversAndReceives(@TempDir Path dir) throws Exception {
        String lot = CloudEdges.uniqueLot();
        String edgeId = lot + "." + CloudEdges.LEVEL;
        String user = "edge-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestBroker broker = TestBroker.create(); EventTap tap = new EventTap(broker.uri())) {
            ConnectionFactory admin = new ConnectionFactory();
            admin.setUri(broker.uri());
            try (Connection c = admin.newConnection(); Channel ch = c.createChannel()) {
                Topology.declareCloudSync(ch);
                Topology.declareEdgePublishing(ch);
                Topology.declareEdgeQueue(ch, edgeId);
            }
            String queue = "^" + Topology.edgeQueue(edgeId).replace(".", "\\.") + "$";
            TestBroker.ctl("add_user", user, "secret-" + user);
            try {
                TestBroker.ctl("set_permissions", "-p", broker.vhost(), user, queue,
                        "^(parking\\.events|parking\\.payments)$", queue);
                String uri = "amqp://" + user + ":secret-" + user + "@" + TestBroker.HOST + ":" + TestBroker.PORT + "/"
                        + broker.vhost();
                try (EdgeApplication edge = CloudEdges.start(dir, uri, Map.of("EDGE_LOT_ID", lot), Clock.systemUTC())) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> edge.sync().status().connected());
                    edge.parking().admit("in-1", "AB123", null);
                    await().atMost(Duration.ofSeconds(30)).until(() -> tap.openedSessions().size() == 1);
                    assertThat(edge.sync().status().outboxPending(), is(0L));
                }
            } finally {
                TestBroker.ctl("delete_user", user);
            }
        }
    }
}
