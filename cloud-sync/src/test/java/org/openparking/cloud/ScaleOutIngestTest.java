package org.openparking.cloud;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentStatus;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * Two cloud-sync instances (three consumer channels each) on one queue and one database, fed a shuffled
 * backlog of many edges with a replayed part and duplicates inside it, and a poison message in the middle:
 * every event applied exactly once, every edge's sequence tracking complete, the newest availability kept,
 * the poison dead-lettered, and nothing handed back (a deadlock would be).
 */
class ScaleOutIngestTest {
    private static final int EDGES = 12;
    private static final int SESSIONS_PER_EDGE = 20;

    @Test
    void twoInstancesApplyAReplayedShuffledBacklogExactlyOnce() throws Exception {
        try (TestBroker broker = TestBroker.create(); TestDatabase database = TestDatabase.create()) {
            List<Envelope> backlog = new ArrayList<>();
            for (int e = 0; e < EDGES; e++) {
                Events edge = new Events("scale-" + (e % 3), "L" + e);
                for (int s = 0; s < SESSIONS_PER_EDGE; s++) {
                    String session = edge.edgeId() + "-s" + s;
                    backlog.add(edge.next(Events.opened(session, "P" + e + "-" + s)));
                    backlog.add(edge.next(Events.availability(s + 1, s + 1)));
                    backlog.add(edge.next(Events.closed(session, 100, PaymentStatus.PAID, null)));
                }
            }
            int distinct = backlog.size();
            Random random = new Random(16);
            List<Envelope> published = new ArrayList<>(backlog);
            // A replay of a third of it (same envelopes, as an edge resends after an outage).
            published.addAll(backlog.subList(0, distinct / 3));
            Collections.shuffle(published, random);

            try (Main.Running a = Main.start(CloudFixture.settings(broker, database), AfterCommitHook.NONE);
                 Main.Running b = Main.start(CloudFixture.settings(broker, database), AfterCommitHook.NONE);
                 var connection = CloudFixture.connect(broker)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> a.consumer().isConnected()
                        && b.consumer().isConnected());
                var channel = connection.createChannel();
                channel.confirmSelect();
                Topology.declareEdgePublishing(channel);
                for (int i = 0; i < published.size(); i++) {
                    Envelope e = published.get(i);
                    if (i == published.size() / 2) {
                        channel.basicPublish(Topology.EVENTS_EXCHANGE,
                                Topology.edgeEventKey("scale-0", "L0", "session.opened"),
                                AmqpEnvelopes.authoredBy(new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                                        .build(), "guest"), "{not json".getBytes(StandardCharsets.UTF_8));
                    }
                    channel.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(e.lotId(), e.levelId(),
                            e.type()), AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"),
                            MessageCodec.encode(e));
                }
                channel.waitForConfirmsOrDie(30_000);

                await().atMost(Duration.ofSeconds(120)).until(() -> handled(a) + handled(b) >= published.size()
                        && a.stats().deadLetteredCount() + b.stats().deadLetteredCount() >= 1);

                assertThat(a.stats().appliedCount() + b.stats().appliedCount(), is((long) distinct));
                assertThat(a.stats().duplicateCount() + b.stats().duplicateCount(), is((long) (distinct / 3)));
                assertThat(a.stats().deadLetteredCount() + b.stats().deadLetteredCount(), is(1L));
                assertThat("batches handed back (a deadlock or conflict would be)",
                        a.stats().requeuedCount() + b.stats().requeuedCount(), is(0L));
                // Both instances took part: this is scale-out, not one instance with a spectator.
                assertThat(a.stats().appliedCount(), greaterThan(0L));
                assertThat(b.stats().appliedCount(), greaterThan(0L));

                long perEdge = 3L * SESSIONS_PER_EDGE;
                try (var c = database.connect(); Statement st = c.createStatement()) {
                    assertThat(single(st, "SELECT count(*) FROM inbox"), is((long) distinct));
                    assertThat(single(st, "SELECT count(*) FROM edges"), is((long) EDGES));
                    assertThat(single(st, "SELECT count(*) FROM edges WHERE events_received = " + perEdge
                            + " AND last_seq = " + perEdge + " AND contiguous_seq = " + perEdge
                            + " AND pending_count = 0"), is((long) EDGES));
                    assertThat(single(st, "SELECT count(*) FROM edge_seq_pending"), is(0L));
                    assertThat(single(st, "SELECT count(*) FROM sessions WHERE status = 'CLOSED' AND plate IS NOT NULL"
                            + " AND entry_lane IS NOT NULL AND exit_lane IS NOT NULL"),
                            is((long) EDGES * SESSIONS_PER_EDGE));
                    assertThat(single(st, "SELECT count(*) FROM levels WHERE version = " + SESSIONS_PER_EDGE
                            + " AND occupied = " + SESSIONS_PER_EDGE), is((long) EDGES));
                }
            }
        }
    }

    private static long handled(Main.Running app) {
        return app.stats().appliedCount() + app.stats().duplicateCount();
    }

    private static long single(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
