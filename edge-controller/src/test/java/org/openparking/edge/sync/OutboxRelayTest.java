package org.openparking.edge.sync;

import org.openparking.testing.TcpProxy;
import org.openparking.edge.MutableClock;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.EdgeApplication;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.session.ParkingService;
import org.openparking.testing.Ports;
import org.openparking.testing.TestBroker;

/** The relay against a real broker through a proxy the test can close and cut. */
class OutboxRelayTest {
    private static TestBroker broker;

    @BeforeAll
    static void broker() {
        broker = TestBroker.create();
    }

    @AfterAll
    static void deleteVhost() {
        broker.close();
    }

    /** Admits and releases {@code n} vehicles through the service layer; each writes outbox rows. */
    private static void traffic(EdgeApplication edge, int n) {
        ParkingService parking = edge.parking();
        for (int i = 0; i < n; i++) {
            ParkingService.Admission a = parking.admit("in-1", null, null);
            parking.depart("out-1", a.ticket(), null);
        }
    }

    @Test
    void aLevelAnnouncesItsAvailabilityWhenItStartsWithoutWaitingForACar(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("EDGE_LOT_ID", CloudEdges.uniqueLot());
        try (EventTap tap = new EventTap(broker.uri())) {
            try (EdgeApplication edge = CloudEdges.start(dir, broker.uri(), env, Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> !tap.availability().isEmpty());
                assertThat(tap.availability().getFirst().capacity(), is(edge.settings().spots().size()));
                assertThat(tap.availability().getFirst().free(), is(edge.settings().spots().size()));
            }
            long first = tap.availability().getFirst().version();
            // a restart announces again under a newer version: a cloud that missed the level learns it now
            try (EdgeApplication edge = CloudEdges.start(dir, broker.uri(), env, Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> tap.availability().size() == 2);
                assertThat(tap.availability().get(1).version(), greaterThan(first));
                assertThat(edge.availability().current().version(), is(tap.availability().get(1).version()));
            }
        }
    }

    @Test
    void aBacklogRecordedOfflineArrivesOnceAndInOrderWhenTheBrokerBecomesReachable(@TempDir Path dir)
            throws Exception {
        try (TcpProxy proxy = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT);
             EventTap tap = new EventTap(broker.uri());
             EdgeApplication edge = CloudEdges.start(dir, CloudEdges.amqpVia(proxy, broker.vhost()), Map.of(),
                     Clock.systemUTC())) {
            traffic(edge, 1000);
            List<String> ids = CloudEdges.outboxIds(edge.database());
            assertThat(ids.size(), greaterThanOrEqualTo(2000));

            String offline = CloudEdges.get(edge, "/sync");
            assertThat(offline, containsString("\"state\":\"CLOUD_DOWN\""));
            assertThat(offline, containsString("\"outboxPending\":" + ids.size()));
            assertThat(offline, containsString("\"connected\":false"));
            assertThat(edge.sync().status().lastError(), containsString("connect"));
            assertThat(tap.deliveries(), is(0));

            proxy.open();
            await().atMost(Duration.ofSeconds(60)).until(() -> tap.distinct() == ids.size()
                    && edge.sync().status().outboxPending() == 0);

            for (String id : ids) {
                assertThat("delivered once: " + id, tap.timesSeen(id), is(1));
            }
            List<Long> seqs = tap.firstArrivalSeqs();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat("in seq order at " + i, seqs.get(i), greaterThan(seqs.get(i - 1)));
            }
            assertThat(tap.deliveries(), is(ids.size()));
            String online = CloudEdges.get(edge, "/sync");
            assertThat(online, containsString("\"state\":\"ONLINE\""));
            assertThat(online, containsString("\"outboxPending\":0"));
            assertThat(edge.sync().state(), is(PaymentLink.State.ONLINE));
            // Once connected the relay also reports its health, outside the event sequence.
            await().atMost(Duration.ofSeconds(30)).until(() -> tap.statuses() >= 1);
        }
    }

    @Test
    void aRowNoQueueWouldReceiveStaysUnsentWithItsAttemptsCountedUntilOneIsBound(@TempDir Path dir)
            throws Exception {
        try (EdgeApplication edge = CloudEdges.start(dir, broker.uri(), Map.of("EDGE_LOT_ID", CloudEdges.uniqueLot()),
                Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().status().connected());
            ParkingService.Admission a = edge.parking().admit("in-1", null, null);
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().status().unsentAttemptsMax() >= 2);
            SyncStatus stuck = edge.sync().status();
            assertThat(stuck.outboxPending(), greaterThan(0L));
            assertThat(stuck.lastError(), containsString("unroutable"));

            try (EventTap tap = new EventTap(broker.uri())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().status().outboxPending() == 0);
                await().atMost(Duration.ofSeconds(5)).until(() -> tap.openedSessions()
                        .contains(a.session().sessionId()));
            }
        }
    }

    @Test
    void sentRowsOlderThanTheRetentionArePrunedAndUnsentOnesNever(@TempDir Path dir) throws Exception {
        MutableClock clock = MutableClock.realTimePlusOffset();
        SyncSettings sync = CloudEdges.sync(broker.uri()).withRetention(Duration.ofDays(7), Duration.ofMillis(200));
        try (EdgeApplication edge = CloudEdges.start(dir, broker.uri(), Map.of("EDGE_LOT_ID", CloudEdges.uniqueLot()),
                clock, sync)) {
            try (EventTap tap = new EventTap(broker.uri())) {
                traffic(edge, 5);
                await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().status().outboxPending() == 0);
            }
            long sent = CloudEdges.count(edge.database(), "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL");
            assertThat(sent, greaterThan(0L));
            // No queue bound any more: these rows stay unsent.
            traffic(edge, 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().status().unsentAttemptsMax() >= 1);
            long unsent = edge.sync().status().outboxPending();

            clock.advance(Duration.ofDays(8));
            await().atMost(Duration.ofSeconds(20)).until(() -> CloudEdges.count(edge.database(),
                    "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL") == 0);
            assertThat(edge.sync().status().outboxPending(), is(unsent));
            assertThat(unsent, greaterThan(0L));
        }
    }

    @Test
    void cuttingTheConnectionWhileConfirmsAreOutstandingLosesNothing(@TempDir Path dir) throws Exception {
        try (TcpProxy proxy = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT);
             EventTap tap = new EventTap(broker.uri());
             EdgeApplication edge = CloudEdges.start(dir, CloudEdges.amqpVia(proxy, broker.vhost()), Map.of(),
                     Clock.systemUTC())) {
            proxy.open();
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().status().connected());

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger written = new AtomicInteger();
            List<Throwable> errors = new ArrayList<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    while (running.get()) {
                        traffic(edge, 10);
                        written.addAndGet(10);
                    }
                } catch (Throwable t) {
                    synchronized (errors) {
                        errors.add(t);
                    }
                }
            });
            int cuts = 0;
            for (int round = 1; round <= 4; round++) {
                int target = tap.distinct() + 300;
                await().atMost(Duration.ofSeconds(30)).until(() -> tap.distinct() >= target
                        && edge.sync().status().outboxPending() > 0);
                proxy.cut();
                cuts++;
            }
            running.set(false);
            writer.join();
            assertThat(errors, is(empty()));

            List<String> ids = CloudEdges.outboxIds(edge.database());
            await().atMost(Duration.ofSeconds(60)).until(() -> edge.sync().status().outboxPending() == 0
                    && ids.stream().allMatch(id -> tap.timesSeen(id) >= 1));
            int duplicates = tap.deliveries() - tap.distinct();
            System.out.printf("connection cut %d times: %d rows, %d deliveries, %d duplicates, %d connections%n",
                    cuts, ids.size(), tap.deliveries(), duplicates, proxy.accepted());
            assertThat(tap.distinct(), equalTo(ids.size()));
            assertThat("reconnected after every cut", proxy.accepted(), greaterThanOrEqualTo(cuts + 1));
        }
    }
}
