package org.openparking.cloud.ingest;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.platform.amqp.ConfirmingPublisher;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.cloud.CloudSettings;
import org.openparking.cloud.Main;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentStatus;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * Drain rate of a backlog in {@code cloud-sync.events} into PostgreSQL, beside the raw rate of
 * persistent publishes with confirms to the same broker. Not part of the test run (no *Test
 * name): {@code mvn -o -pl cloud-sync verify -Dtest=IngestBenchmark -Dbench.events=20000}.
 */
class IngestBenchmark {
    @Test
    void drainBacklog() throws Exception {
        int events = Integer.getInteger("bench.events", 20_000);
        int consumers = Integer.getInteger("bench.consumers", 4);
        int prefetch = Integer.getInteger("bench.prefetch", 100);
        int batch = Integer.getInteger("bench.batch", 100);
        try (TestBroker broker = TestBroker.create(); TestDatabase database = TestDatabase.create();
             PooledDataSource dataSource = PooledDataSource.postgres(CloudSettings.defaults().db().with(database.url(), consumers + 2),
                     "cloud-sync")) {
            dataSource.migrate(Main.MIGRATIONS);
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(broker.uri());
            long publishNanos;
            try (Connection c = f.newConnection("bench-edge")) {
                Channel ch = c.createChannel();
                Topology.declareCloudSync(ch);
                ch.confirmSelect();
                // 10 edges; per session: opened, closed, availability.
                Events[] edges = new Events[10];
                for (int i = 0; i < edges.length; i++) {
                    edges[i] = new Events("bench", "L" + i);
                }
                long start = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    Events edge = edges[i % edges.length];
                    int n = i / edges.length;
                    String session = edge.edgeId() + "-s" + (n / 3);
                    Envelope e = edge.next(switch (n % 3) {
                        case 0 -> Events.opened(session, "P" + n);
                        case 1 -> Events.closed(session, 500, PaymentStatus.PAID, "pay-" + session);
                        default -> Events.availability(n % 100, n);
                    });
                    ch.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(e.lotId(), e.levelId(),
                            e.type()), AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
                    if (i % 500 == 499) {
                        ch.waitForConfirmsOrDie(30_000);
                    }
                }
                ch.waitForConfirmsOrDie(30_000);
                publishNanos = System.nanoTime() - start;
            }

            IngestStats stats = new IngestStats();
            long start = System.nanoTime();
            try (EventConsumer consumer = new EventConsumer(CloudSettings.defaults().broker().withUri(broker.uri()),
                    new EventApplier(dataSource, Clock.systemUTC(), new OutgoingMessages(dataSource,
                            ConfirmingPublisher.lazy(CloudSettings.defaults().broker().withUri(broker.uri()), "test-publisher",
                        java.time.Duration.ofMillis(10_000)), Clock.systemUTC())),
                    new ConsumerSettings(prefetch, consumers, batch, Duration.ofMillis(1_000)), stats, AfterCommitHook.NONE)) {
                consumer.start();
                await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> stats.appliedCount() >= events);
            }
            long drainNanos = System.nanoTime() - start;
            try (java.sql.Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM inbox")) {
                rs.next();
                assertThat(rs.getLong(1), is((long) events));
            }
            System.out.printf("BENCHMARK events=%d consumers=%d prefetch=%d max-batch=%d%n", events, consumers,
                    prefetch, batch);
            System.out.printf("BENCHMARK raw persistent publish with confirms (batches of 500): %.0f msg/s%n",
                    events / (publishNanos / 1e9));
            System.out.printf("BENCHMARK cloud-sync drain into PostgreSQL: %.0f events/s (%.1f s), duplicates %d%n",
                    events / (drainNanos / 1e9), drainNanos / 1e9, stats.duplicateCount());
        }
    }
}
