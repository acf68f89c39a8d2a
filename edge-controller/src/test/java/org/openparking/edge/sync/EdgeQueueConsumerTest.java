package org.openparking.edge.sync;

import org.openparking.testing.TcpProxy;
import org.openparking.edge.MutableClock;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.EdgeApplication;
import org.openparking.edge.ParkingException;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.edge.TestEdge;
import org.openparking.edge.store.EdgeDatabase;
import org.openparking.platform.jdbc.Database;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.edge.payment.Payment;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.session.Session;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.UpdateTariff;
import org.openparking.protocol.VehicleType;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.Ports;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestHttp;

/** Commands and payment results through the edge's queue, with a real broker and a fake worker. */
class EdgeQueueConsumerTest {
    private static final Map<String, String> ONE_SECOND_WAIT = Map.of("PAYMENTS_WAIT", "PT1S");
    private static TestBroker broker;
    private static Connection admin;

    @BeforeAll
    static void broker() throws Exception {
        broker = TestBroker.create();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        admin = f.newConnection("test-admin");
    }

    @AfterAll
    static void deleteVhost() {
        admin.abort();
        broker.close();
    }

    private static Map<String, String> env(String lot, Map<String, String> more) {
        Map<String, String> env = new java.util.HashMap<>(more);
        env.put("EDGE_LOT_ID", lot);
        return env;
    }

    @Test
    void aDatabaseThatFailsPausesRedeliveriesLongerEachTimeAndLosesNothing(@TempDir Path dir) throws Exception {
        String lot = CloudEdges.uniqueLot();
        String edgeId = Envelope.edgeId(lot, CloudEdges.LEVEL);
        Channel ch = admin.createChannel();
        ch.confirmSelect();
        Topology.declareEdgeQueue(ch, edgeId);
        Envelope command = Envelope.of(edgeId, lot, CloudEdges.LEVEL, 1, Instant.now(),
                new UpdateTariff(new Tariff(2, "EUR", 10, 30, 250, 2000, 4000)));
        ch.basicPublish(Topology.EDGE_EXCHANGE, edgeId, AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(command), "guest"),
                MessageCodec.encode(command));
        ch.waitForConfirmsOrDie(10_000);

        // A database that fails every write, as a full or broken disk does.
        Clock clock = Clock.systemUTC();
        Database db = EdgeDatabase.open(TestEdge.sqlite(dir.resolve("edge.db")));
        db.close();
        Outbox outbox = new Outbox(lot, CloudEdges.LEVEL, clock);
        LevelAvailability board = new LevelAvailability();
        LevelCommands commands = new LevelCommands(db, outbox, new Occupancy(EdgeSettings.OccupancyMode.COUNTING, lot,
                CloudEdges.LEVEL, outbox, clock, board, io.helidon.metrics.api.Metrics.globalRegistry()), board, new TariffRepository(), Map.of(), Map.of(), null, null,
                java.time.Duration.ofMinutes(2), clock);
        List<Long> pauses = new java.util.concurrent.CopyOnWriteArrayList<>();
        EdgeQueueConsumer consumer = new EdgeQueueConsumer(edgeId, 10, db, commands, new PaymentRepository(),
                new PaymentResults(), PaymentLink.offline(), clock, SyncSettings.defaults(broker.uri()).authors(),
                pauses::add);
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        try (Connection connection = f.newConnection("failing-edge")) {
            consumer.attach(connection);
            await().atMost(Duration.ofSeconds(20)).until(() -> pauses.size() >= 8);
        }
        assertThat(pauses.subList(0, 8), is(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L)));
        // every attempt was nacked back: the command is still queued for when the disk is fixed
        await().atMost(Duration.ofSeconds(10)).until(() ->
                ch.queueDeclarePassive(Topology.edgeQueue(edgeId)).getMessageCount() == 1);
        ch.close();
    }

    @Test
    void aTariffPushedWhileTheEdgeIsStoppedIsAppliedOnceWhenItStarts(@TempDir Path dir) throws Exception {
        String lot = CloudEdges.uniqueLot();
        String edgeId = Envelope.edgeId(lot, CloudEdges.LEVEL);
        Channel ch = admin.createChannel();
        ch.confirmSelect();
        Topology.declareEdgeQueue(ch, edgeId);
        ch.queuePurge(Topology.DEAD_QUEUE);

        Tariff v2 = new Tariff(2, "EUR", 10, 30, 250, 2000, 4000);
        Envelope command = Envelope.of(edgeId, lot, CloudEdges.LEVEL, 1, Instant.now(), new UpdateTariff(v2));
        byte[] body = MessageCodec.encode(command);
        // The same command twice, as a redelivery after a lost ack would bring it.
        ch.basicPublish(Topology.EDGE_EXCHANGE, edgeId, AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(command), "guest"), body);
        ch.basicPublish(Topology.EDGE_EXCHANGE, edgeId, AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(command), "guest"), body);
        // Poison: not JSON, addressed to another edge, and an event type no edge receives.
        ch.basicPublish(Topology.EDGE_EXCHANGE, edgeId, null, "{not json".getBytes(StandardCharsets.UTF_8));
        Envelope foreign = Envelope.of("other.L9", "other", "L9", 2, Instant.now(), new UpdateTariff(v2));
        ch.basicPublish(Topology.EDGE_EXCHANGE, edgeId, AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(foreign), "guest"),
                MessageCodec.encode(foreign));
        Envelope event = Envelope.of(edgeId, lot, CloudEdges.LEVEL, 3, Instant.now(), new SessionOpened("s-1", "in-1",
                null, VehicleType.STANDARD, Instant.now(), 1));
        ch.basicPublish(Topology.EDGE_EXCHANGE, edgeId, AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(event), "guest"), MessageCodec.encode(event));
        ch.waitForConfirmsOrDie(10_000);

        try (EdgeApplication edge = CloudEdges.start(dir, broker.uri(), env(lot, Map.of()), Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    ch.queueDeclarePassive(Topology.edgeQueue(edgeId)).getMessageCount() == 0
                            && ch.queueDeclarePassive(Topology.DEAD_QUEUE).getMessageCount() == 3);
            assertThat(CloudEdges.count(edge.database(), "SELECT MAX(version) FROM tariffs"), is(2L));
            assertThat(CloudEdges.count(edge.database(), "SELECT COUNT(*) FROM outbox WHERE type = 'command.applied'"),
                    is(1L));
            assertThat(CloudEdges.count(edge.database(), "SELECT COUNT(*) FROM inbox"), is(1L));
        }
        List<String> reasons = new ArrayList<>();
        for (GetResponse r; (r = ch.basicGet(Topology.DEAD_QUEUE, true)) != null; ) {
            reasons.add(String.valueOf(r.getProps().getHeaders().get(Topology.DEAD_REASON_HEADER)));
        }
        assertThat(reasons, hasSize(3));
        assertThat(String.join("|", reasons), containsString("MALFORMED_JSON"));
        assertThat(String.join("|", reasons), containsString("WRONG_EDGE"));
        assertThat(String.join("|", reasons), containsString("UNEXPECTED_TYPE"));
        ch.close();
    }

    @Test
    void exitsArePaidDeclinedDeferredOrPendingByTheWorkersAnswer(@TempDir Path dir) throws Exception {
        String lot = CloudEdges.uniqueLot();
        MutableClock clock = MutableClock.realTimePlusOffset();
        try (FakePaymentWorker worker = new FakePaymentWorker(broker.uri());
             EdgeApplication edge = CloudEdges.start(dir, broker.uri(), env(lot, ONE_SECOND_WAIT), clock)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().state() == PaymentLink.State.ONLINE);
            ParkingService parking = edge.parking();
            ParkingService.Admission above = parking.admit("in-1", null, null);
            clock.advance(Duration.ofHours(8));
            ParkingService.Admission paid = parking.admit("in-1", null, null);
            ParkingService.Admission declined = parking.admit("in-1", null, null);
            ParkingService.Admission deferred = parking.admit("in-1", null, null);
            clock.advance(Duration.ofHours(2)); // 600 cents for three of them, the daily cap of 2400 for one

            ParkingService.Departure d = parking.depart("out-1", paid.ticket(), "pm_paid");
            assertThat(d.paymentStatus(), is(PaymentStatus.PAID));
            assertThat(d.gateOpens(), is(true));
            Payment p = parking.paymentsOf(paid.session().sessionId()).getFirst();
            assertThat(p.status(), is(Payment.Status.PAID));
            assertThat(p.providerReference(), notNullValue());

            TestHttp.Response refused = TestHttp.create().post(
                    "http://127.0.0.1:" + edge.port() + "/api/v1/lanes/out-1/exits",
                    "{\"ticket\":\"" + declined.ticket() + "\",\"paymentMethod\":\"pm_declined\"}");
            assertThat(refused.status(), is(402));
            assertThat(refused.text(), containsString("\"error\":\"PAYMENT_DECLINED\""));
            assertThat(parking.session(declined.session().sessionId()).orElseThrow().status(), is(Session.Status.OPEN));
            assertThat(parking.paymentsOf(declined.session().sessionId()).getFirst().status(),
                    is(Payment.Status.DECLINED));
            assertThat("the gate stays closed", edge.hardware().barrier("out-1").state(),
                    is(org.openparking.firmware.BarrierState.CLOSED));

            // No answer in time, fee within the floor limit: the car leaves, the charge follows.
            ParkingService.Departure late = parking.depart("out-1", deferred.ticket(), "pm_silent");
            assertThat(late.paymentStatus(), is(PaymentStatus.DEFERRED));
            assertThat(late.gateOpens(), is(true));
            assertThat(edge.sync().state(), is(PaymentLink.State.PAYMENTS_DOWN));
            assertThat(worker.requests().stream().map(r -> r.paymentId()).toList().contains(late.paymentId()),
                    is(true));
            worker.answer(late.paymentId(), PaymentResult.Outcome.PAID);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    parking.paymentsOf(deferred.session().sessionId()).getFirst().status() == Payment.Status.PAID);
            Payment settled = parking.paymentsOf(deferred.session().sessionId()).getFirst();
            assertThat(settled.deferred(), is(true));
            assertThat(settled.providerReference(), notNullValue());
            assertThat(edge.sync().state(), is(PaymentLink.State.ONLINE));

            // No answer in time, above the floor limit: the gate stays closed until it is paid.
            ParkingService.Departure pending = parking.depart("out-1", above.ticket(), "pm_silent");
            assertThat(pending.paymentStatus(), is(PaymentStatus.PENDING));
            assertThat(pending.gateOpens(), is(false));
            worker.answer(pending.paymentId(), PaymentResult.Outcome.PAID);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    parking.paymentsOf(above.session().sessionId()).getFirst().status() == Payment.Status.PAID);
            ParkingService.Departure retry = parking.depart("out-1", above.ticket(), null);
            assertThat(retry.paymentStatus(), is(PaymentStatus.PAID));
            assertThat(retry.gateOpens(), is(true));
            assertThat("each payment requested once", worker.requests().stream().map(r -> r.paymentId()).toList(),
                    containsInAnyOrder(Payment.idFor(paid.session().sessionId(), 1),
                            Payment.idFor(declined.session().sessionId(), 1),
                            Payment.idFor(deferred.session().sessionId(), 1),
                            Payment.idFor(above.session().sessionId(), 1)));
        }
    }

    @Test
    void withTheBrokerUnreachableSmallFeesAreDeferredAtOnceAndChargedWhenTheLinkReturns(@TempDir Path dir)
            throws Exception {
        String lot = CloudEdges.uniqueLot();
        MutableClock clock = MutableClock.realTimePlusOffset();
        try (TcpProxy proxy = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT);
             FakePaymentWorker worker = new FakePaymentWorker(broker.uri());
             EdgeApplication edge = CloudEdges.start(dir, CloudEdges.amqpVia(proxy, broker.vhost()),
                     env(lot, Map.of("PAYMENTS_WAIT", "PT120S")), clock)) {
            assertThat(edge.sync().state(), is(PaymentLink.State.CLOUD_DOWN));
            ParkingService parking = edge.parking();
            ParkingService.Admission big = parking.admit("in-1", null, null);
            clock.advance(Duration.ofHours(8));
            ParkingService.Admission small = parking.admit("in-1", null, null);
            clock.advance(Duration.ofHours(2));

            // Decided without the payment wait: two exits that waited would take 240 s; half of one wait is a
            // bound no machine load reaches, so this measures the decision path, not the machine's speed.
            long started = System.nanoTime();
            ParkingService.Departure deferred = parking.depart("out-1", small.ticket(), "pm_paid");
            ParkingService.Departure pending = parking.depart("out-1", big.ticket(), "pm_paid");
            assertThat(Duration.ofNanos(System.nanoTime() - started), lessThan(Duration.ofSeconds(60)));
            assertThat(deferred.paymentStatus(), is(PaymentStatus.DEFERRED));
            assertThat(deferred.gateOpens(), is(true));
            assertThat(pending.paymentStatus(), is(PaymentStatus.PENDING));
            assertThat(pending.gateOpens(), is(false));
            assertThat(pending.paymentId(), nullValue());
            assertThat(parking.paymentsOf(small.session().sessionId()).getFirst().status(),
                    is(Payment.Status.DEFERRED));
            assertThat(worker.requests(), is(empty()));

            proxy.open();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    parking.paymentsOf(small.session().sessionId()).getFirst().status() == Payment.Status.PAID);
            assertThat(worker.requests(), hasSize(1));
            assertThat(worker.requests().getFirst().paymentId(), is(deferred.paymentId()));
            assertThat(worker.requests().getFirst().deferred(), is(true));
            assertThat(parking.paymentsOf(small.session().sessionId()).getFirst().deferred(), is(true));
            assertThat(parking.paymentsOf(big.session().sessionId()), is(empty()));
        }
    }
}
