package org.openparking.cloud;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentStatus;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.Ports;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * The runnable jar is killed with SIGKILL twice while it drains a backlog, and restarted: in the
 * end every event is applied exactly once (expected count = matched count, nothing applied twice,
 * nothing dead-lettered, nothing left in the queue).
 */
class CrashRestartIT {
    private static final int SESSIONS = 500;
    private static final int EDGES = 4;

    @Test
    void killNineDuringADrainLosesNothingAndAppliesNothingTwice() throws Exception {
        Path jar = Path.of(System.getProperty("cloud.jar", "target/cloud-sync.jar"));
        Path log = Files.createTempFile("cloud-sync-crash", ".log");
        try (TestBroker broker = TestBroker.create(); TestDatabase database = TestDatabase.create();
             Connection connection = CloudFixture.connect(broker)) {
            Channel ch = connection.createChannel();
            Topology.declareCloudSync(ch);
            ch.confirmSelect();
            for (int edge = 0; edge < EDGES; edge++) {
                Events events = new Events("crash", "L" + edge);
                for (int s = 0; s < SESSIONS / EDGES; s++) {
                    String session = events.edgeId() + "-" + s;
                    publish(ch, events.next(Events.opened(session, "P" + s)));
                    publish(ch, events.next(Events.closed(session, 100, PaymentStatus.PAID, "pay-" + session)));
                }
            }
            ch.waitForConfirmsOrDie(60_000);
            int expected = SESSIONS * 2;
            Map<String, String> env = Map.of("SERVER_PORT", String.valueOf(Ports.free()), "DB_URL", database.url(),
                    "AMQP_URI", broker.uri(), "AMQP_CONSUMERS", "2", "AMQP_PREFETCH", "20", "AMQP_MAX_BATCH", "10");

            for (long killAt : new long[] {expected / 4, expected / 2}) {
                Process p = JavaProcess.start(jar, env, log);
                try {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                            .until(() -> count(database, "SELECT count(*) FROM inbox") >= killAt);
                } finally {
                    JavaProcess.kill9(p);
                }
            }
            Process last = JavaProcess.start(jar, env, log);
            try {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                        .until(() -> count(database, "SELECT count(*) FROM inbox") == expected
                                && ch.messageCount(Topology.CLOUD_SYNC_QUEUE) == 0);
            } finally {
                JavaProcess.kill9(last);
            }
            assertThat(count(database, "SELECT count(*) FROM sessions WHERE status = 'CLOSED' AND plate IS NOT NULL"),
                    is((long) SESSIONS));
            // Every applied event increments its edge's counter once: a double apply would show here.
            assertThat(count(database, "SELECT sum(events_received) FROM edges"), is((long) expected));
            assertThat(count(database, "SELECT sum(contiguous_seq) FROM edges"), is((long) expected));
            assertThat(ch.messageCount(Topology.DEAD_QUEUE), is(0L));
        } finally {
            System.out.println("cloud-sync log: " + log);
        }
    }

    private static void publish(Channel ch, Envelope e) throws Exception {
        ch.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(e.lotId(), e.levelId(), e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
    }

    private static long count(TestDatabase database, String sql) {
        try (java.sql.Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (Exception e) {
            // The schema does not exist until the first start has migrated it.
            return -1;
        }
    }
}
