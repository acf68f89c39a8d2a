package org.openparking.cloud.ingest;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.CloseSessionElsewhere;
import org.openparking.protocol.CommandApplied;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.MessageType;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.SessionClosed;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * A session opened on L1 and closed through L0's exit: whichever half arrives second writes exactly one
 * {@code command.close-session} for L1 in its transaction, and it is published to L1's queue; redeliveries and a
 * replay under a new envelope id add nothing, and a session closed where it opened sends nothing. Real PostgreSQL
 * database and RabbitMQ vhost.
 */
class SessionClosedElsewhereTest {
    private static TestBroker broker;
    private static Connection amqp;
    private TestDatabase database;
    private PooledDataSource dataSource;
    private EventApplier applier;
    private ConfirmingPublisher publisher;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.create();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        amqp = f.newConnection("test");
    }

    @AfterAll
    static void stopBroker() {
        amqp.abort();
        broker.close();
    }

    @BeforeEach
    void setUp() {
        database = TestDatabase.create();
        dataSource = PooledDataSource.postgres(CloudSettings.defaults().db().with(database.url(), 4), "cloud-sync");
        dataSource.migrate(Main.MIGRATIONS);
        publisher = ConfirmingPublisher.lazy(CloudSettings.defaults().broker().withUri(broker.uri()), "test-publisher",
                        java.time.Duration.ofMillis(10_000));
        applier = new EventApplier(dataSource, Clock.systemUTC(),
                new OutgoingMessages(dataSource, publisher, Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        publisher.close();
        dataSource.close();
        database.close();
    }

    private record Command(String commandId, String edgeId, String type, String requestedBy, boolean sent,
                           String body) {
    }

    private List<Command> commands() throws Exception {
        return Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT command_id, edge_id, type, requested_by, sent_at, body FROM commands ORDER BY seq",
                rs -> new Command(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5) != null, rs.getString(6))));
    }

    /** Everything waiting in edge {@code edgeId}'s queue, taken off it. */
    private static List<Envelope> drain(String edgeId) throws Exception {
        List<Envelope> got = new ArrayList<>();
        try (Channel ch = amqp.createChannel()) {
            Topology.declareEdgeQueue(ch, edgeId);
            for (GetResponse r; (r = ch.basicGet(Topology.edgeQueue(edgeId), true)) != null; ) {
                got.add(MessageCodec.decode(r.getBody()));
            }
        }
        return got;
    }

    /** Applies each envelope, every one twice, as redeliveries after a lost ack bring them. */
    private void deliverTwice(List<Envelope> envelopes) throws Exception {
        for (Envelope e : envelopes) {
            assertThat(applier.apply(e, true), is(EventApplier.Outcome.APPLIED));
            assertThat(applier.apply(e, true), is(EventApplier.Outcome.DUPLICATE));
        }
    }

    private void exactlyOneCommandToTheEntryLevel(String lot, String sessionId, Envelope close) throws Exception {
        List<Command> rows = commands();
        assertThat(rows.toString(), rows.size(), is(1));
        Command row = rows.getFirst();
        assertThat(row.commandId(), is(EventApplier.closeSessionCommandId(sessionId)));
        assertThat(row.edgeId(), is(lot + ".L1"));
        assertThat(row.type(), is(MessageType.CLOSE_SESSION_ELSEWHERE));
        assertThat(row.requestedBy(), is("system"));
        assertThat("published with confirms right after the commit", row.sent(), is(true));

        List<Envelope> queued = drain(lot + ".L1");
        assertThat(queued.size(), is(1));
        Envelope command = queued.getFirst();
        assertThat(command.id(), is(row.commandId()));
        assertThat(command.edgeId(), is(lot + ".L1"));
        CloseSessionElsewhere payload = (CloseSessionElsewhere) command.payload();
        SessionClosed closed = (SessionClosed) close.payload();
        assertThat(payload, is(new CloseSessionElsewhere(sessionId, closed.exitTime(), lot + ".L0", "L0")));
        assertThat("the exit level is told nothing", drain(lot + ".L0").size(), is(0));

        // The entry level's receipt closes the loop.
        applier.apply(Envelope.of(lot + ".L1", lot, "L1", 2, Instant.now(),
                new CommandApplied(command.id(), command.type(), true, "closed")), true);
        Boolean applied = Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT applied FROM commands WHERE command_id = ?", rs -> (Boolean) rs.getObject(1),
                command.id())).getFirst();
        assertThat(applied, is(true));

        Jdbc.read(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT status, level_id, edge_id, exit_level_id FROM sessions WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(1), is("CLOSED"));
                    assertThat("the session belongs to its entry level", rs.getString(2), is("L1"));
                    assertThat(rs.getString(3), is(lot + ".L1"));
                    assertThat(rs.getString(4), is("L0"));
                }
            }
            return null;
        });
    }

    @Test
    void openThenCloseOnAnotherLevelIssuesOneCommandToTheEntryLevel() throws Exception {
        Events l1 = new Events("lot-a", "L1");
        Events l0 = new Events("lot-a", "L0");
        Envelope open = l1.next(Events.opened("s-a", "AB-1"));
        Envelope close = l0.next(Events.closed("s-a", 300, PaymentStatus.PAID, "pay-s-a-1"));
        deliverTwice(List.of(open, close));
        // The exit edge's event replayed under a new envelope id (not an inbox duplicate) adds nothing either.
        applier.apply(new Envelope("replayed-" + close.id(), close.type(), close.schemaVersion(), close.edgeId(),
                close.lotId(), close.levelId(), close.seq() + 1, close.occurredAt(), close.payload()), true);
        exactlyOneCommandToTheEntryLevel("lot-a", "s-a", close);
    }

    @Test
    void aCloseArrivingBeforeItsOpenIssuesTheCommandWhenTheOpenArrives() throws Exception {
        Events l1 = new Events("lot-b", "L1");
        Events l0 = new Events("lot-b", "L0");
        Envelope open = l1.next(Events.opened("s-b", "AB-2"));
        Envelope close = l0.next(Events.closed("s-b", 300, PaymentStatus.PAID, "pay-s-b-1"));
        applier.apply(close, true);
        assertThat("only one half is known yet", commands().size(), is(0));
        deliverTwice(List.of(open));
        applier.apply(close, true);
        exactlyOneCommandToTheEntryLevel("lot-b", "s-b", close);
    }

    @Test
    void bothHalvesInOneBatchIssueOneCommand() throws Exception {
        Events l1 = new Events("lot-c", "L1");
        Events l0 = new Events("lot-c", "L0");
        Envelope open = l1.next(Events.opened("s-c", "AB-3"));
        Envelope close = l0.next(Events.closed("s-c", 300, PaymentStatus.PAID, "pay-s-c-1"));
        applier.applyAll(List.of(new EventApplier.Item(close, true), new EventApplier.Item(open, true),
                new EventApplier.Item(close, true)));
        exactlyOneCommandToTheEntryLevel("lot-c", "s-c", close);
    }

    @Test
    void aSessionClosedWhereItOpenedSendsNothing() throws Exception {
        Events l1 = new Events("lot-d", "L1");
        Envelope open = l1.next(Events.opened("s-d", "AB-4"));
        Envelope close = l1.next(Events.closed("s-d", 300, PaymentStatus.PAID, "pay-s-d-1"));
        deliverTwice(List.of(close, open));
        assertThat(commands().size(), is(0));
        assertThat(drain("lot-d.L1").size(), is(0));
        String exitLevel = Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT exit_level_id FROM sessions WHERE session_id = 's-d'", rs -> rs.getString(1))).getFirst();
        assertThat(exitLevel, is("L1"));
    }

    @Test
    void aCommandWhosePublishFailedStaysUnsentForTheRepublisher() throws Exception {
        // A publisher that cannot reach any broker: the events still apply and the row waits unsent.
        // Closed at the end: left open, its link kept retrying port 1 and logged into later tests of this JVM (a
        // hostile-input test that counts log lines read one of its lines as its own).
        try (ConfirmingPublisher unreachable = ConfirmingPublisher.lazy(
                CloudSettings.defaults().broker().withUri("amqp://guest:guest@127.0.0.1:1/%2F"), "unreachable-publisher",
                java.time.Duration.ofMillis(1_000))) {
            aRowWhosePublishFailedWaitsForTheRepublisher(new EventApplier(dataSource, Clock.systemUTC(),
                    new OutgoingMessages(dataSource, unreachable, Clock.systemUTC())));
        }
    }

    private void aRowWhosePublishFailedWaitsForTheRepublisher(EventApplier offline) throws Exception {
        Events l1 = new Events("lot-e", "L1");
        Events l0 = new Events("lot-e", "L0");
        assertThat(offline.apply(l1.next(Events.opened("s-e", "AB-5")), true), is(EventApplier.Outcome.APPLIED));
        assertThat(offline.apply(l0.next(Events.closed("s-e", 300, PaymentStatus.PAID, "pay-s-e-1")), true),
                is(EventApplier.Outcome.APPLIED));
        List<Command> rows = commands();
        assertThat(rows.size(), is(1));
        assertThat(rows.getFirst().sent(), is(false));

        OutgoingMessages online = new OutgoingMessages(dataSource, publisher, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(10)).until(() -> online.republishUnsent(0, 10) == 1);
        assertThat(commands().getFirst().sent(), is(true));
        List<Envelope> queued = drain("lot-e.L1");
        assertThat(queued.size(), is(1));
        assertThat(queued.getFirst().id(), is(EventApplier.closeSessionCommandId("s-e")));
        assertThat(queued.getFirst().payload(), notNullValue());
        assertThat(Jdbc.read(dataSource, c -> Jdbc.query(c, "SELECT last_error FROM commands",
                rs -> rs.getString(1))).getFirst(), nullValue());
    }
}
