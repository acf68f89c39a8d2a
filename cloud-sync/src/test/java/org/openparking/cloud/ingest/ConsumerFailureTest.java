package org.openparking.cloud.ingest;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.platform.amqp.ConfirmingPublisher;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.cloud.CloudSettings;
import org.openparking.cloud.Main;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.platform.jdbc.DelegatingDataSource;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentStatus;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/** The consumer dying between commit and ack, and PostgreSQL failing, against the real services. */
class ConsumerFailureTest {
    private static TestBroker broker;
    private TestDatabase database;
    private PooledDataSource dataSource;
    private Connection edgeConnection;
    private Channel edge;
    /** The consumers' publishers, closed after each test: left open, their links outlive the vhost and log. */
    private final java.util.List<ConfirmingPublisher> publishers = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void createBroker() {
        broker = TestBroker.create();
    }

    @AfterAll
    static void deleteBroker() {
        broker.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabase.create();
        dataSource = PooledDataSource.postgres(CloudSettings.defaults().db().with(database.url(), 6), "cloud-sync");
        dataSource.migrate(Main.MIGRATIONS);
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        edgeConnection = f.newConnection("test-edge");
        edge = edgeConnection.createChannel();
        edge.confirmSelect();
        Topology.declareCloudSync(edge);
    }

    @AfterEach
    void tearDown() {
        publishers.forEach(ConfirmingPublisher::close);
        edgeConnection.abort();
        dataSource.close();
        database.close();
    }

    private ConfirmingPublisher publisher() {
        ConfirmingPublisher p = ConfirmingPublisher.lazy(CloudSettings.defaults().broker().withUri(broker.uri()),
                "test-publisher", Duration.ofMillis(10_000));
        publishers.add(p);
        return p;
    }

    private EventConsumer consumer(DataSource ds, AfterCommitHook hook) {
        EventConsumer consumer = new EventConsumer(CloudSettings.defaults().broker().withUri(broker.uri()),
                new EventApplier(ds, Clock.systemUTC(), new OutgoingMessages(ds, publisher(), Clock.systemUTC())),
                new ConsumerSettings(10, 2, 10, Duration.ofMillis(200)), new IngestStats(), hook);
        consumer.start();
        await().atMost(Duration.ofSeconds(20)).until(consumer::isConnected);
        return consumer;
    }

    private void publish(Envelope e) throws Exception {
        edge.basicPublish(Topology.EVENTS_EXCHANGE, Topology.edgeEventKey(e.lotId(), e.levelId(), e.type()),
                AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(e), "guest"), MessageCodec.encode(e));
        edge.waitForConfirmsOrDie(5_000);
    }

    @Test
    void killedBetweenCommitAndAckTheRedeliveryIsNotAppliedTwice() throws Exception {
        Events events = new Events("crash", "L1");
        Envelope opened = events.next(Events.opened("crash-s1", "CR-1"));
        Envelope closed = events.next(Events.closed("crash-s1", 300, PaymentStatus.PAID, "pay-crash-1"));
        AtomicBoolean killed = new AtomicBoolean();
        // Committed, then the connection dies before the ack: what a kill -9 at that instant leaves behind.
        EventConsumer dying = consumer(dataSource, (envelope, channel) -> {
            if (killed.compareAndSet(false, true)) {
                channel.getConnection().abort(1_000);
                throw new IllegalStateException("killed before ack");
            }
        });
        publish(opened);
        await().atMost(Duration.ofSeconds(20)).untilTrue(killed);
        dying.close();
        assertThat(count("SELECT count(*) FROM inbox"), is(1L));

        EventConsumer restarted = consumer(dataSource, AfterCommitHook.NONE);
        try {
            publish(closed);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    restarted.stats().duplicateCount() == 1 && restarted.stats().appliedCount() == 1);
            assertThat(count("SELECT events_received FROM edges WHERE edge_id = 'crash.L1'"), is(2L));
            assertThat(count("SELECT count(*) FROM sessions WHERE session_id = 'crash-s1' AND status = 'CLOSED'"
                    + " AND plate = 'CR-1'"), is(1L));
            assertThat(count("SELECT count(*) FROM inbox"), is(2L));
        } finally {
            restarted.close();
        }
    }

    @Test
    void whilePostgresqlFailsDeliveriesAreHandedBackNotAckedNorDeadLettered() throws Exception {
        FailingDataSource failing = new FailingDataSource(dataSource);
        failing.down.set(true);
        EventConsumer consumer = consumer(failing, AfterCommitHook.NONE);
        try {
            Events events = new Events("outage", "L1");
            publish(events.next(Events.opened("outage-s1", "OUT-1")));
            publish(events.next(Events.availability(1, 1)));

            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.stats().requeuedCount() >= 4);
            assertThat(count("SELECT count(*) FROM inbox"), is(0L));
            assertThat(consumer.stats().deadLetteredCount(), is(0L));
            assertThat(edge.messageCount(Topology.DEAD_QUEUE), is(0L));

            failing.down.set(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.stats().appliedCount() == 2);
            assertThat(count("SELECT count(*) FROM sessions WHERE session_id = 'outage-s1'"), is(1L));
            assertThat(count("SELECT version FROM levels WHERE lot_id = 'outage'"), is(1L));
            assertThat(consumer.stats().duplicateCount(), is(0L));
            assertThat(edge.messageCount(Topology.DEAD_QUEUE), is(0L));
            assertThat(consumer.stats().requeuedCount(), greaterThanOrEqualTo(4L));
        } finally {
            consumer.close();
        }
    }

    private long count(String sql) throws SQLException {
        try (java.sql.Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    /** The real pool, made to fail connections the way an unreachable PostgreSQL does, while {@link #down}. */
    private static final class FailingDataSource extends DelegatingDataSource {
        final AtomicBoolean down = new AtomicBoolean();

        FailingDataSource(DataSource delegate) {
            super(delegate);
        }

        @Override
        public java.sql.Connection getConnection() throws SQLException {
            if (down.get()) {
                throw new SQLTransientConnectionException("Connection is not available, request timed out", "08001");
            }
            return delegate.getConnection();
        }

        @Override
        public java.sql.Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }
    }
}
