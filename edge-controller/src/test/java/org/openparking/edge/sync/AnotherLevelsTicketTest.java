package org.openparking.edge.sync;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.EdgeApplication;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.platform.config.ConfigInput;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.ticket.TicketSigner;
import org.openparking.firmware.RampDetector;
import org.openparking.protocol.PaymentStatus;
import org.openparking.testing.TestBroker;

/**
 * A car that came onto a ramp level over its ramp, with a ticket issued on another level, pays by card (a
 * real broker, a fake worker) at this level's pay station or exit. The session row this level records for
 * the payment is another level's: it never holds a space here, and the exit takes out the car the ramp
 * brought in, whichever way it paid.
 */
class AnotherLevelsTicketTest {
    private static TestBroker broker;

    @BeforeAll
    static void broker() {
        broker = TestBroker.create();
    }

    @AfterAll
    static void deleteVhost() {
        broker.close();
    }

    private static EdgeApplication start(Path dir, String lot, Clock clock) throws Exception {
        Path yaml = dir.resolve("level.yaml");
        Files.writeString(yaml, """
                occupancy: { mode: counting }
                lanes:
                  - { id: "in-1", direction: ENTRY }
                  - { id: "out-1", direction: EXIT }
                capacity: { STANDARD: 5 }
                ramps:
                  - { id: "up" }
                payments: { wait: PT5S }
                """);
        EdgeSettings settings = EdgeSettings.create(EdgeSettings.load(ConfigInput.environment(Map.of(
                "PARKING_CONFIG", yaml.toString(), "EDGE_LOT_ID", lot, "EDGE_LEVEL_ID", "L0", "EDGE_DB_PATH", dir.resolve("edge.db").toString(),
                "CLOUD_AMQP_URI", broker.uri(), "HARDWARE_DEBOUNCE", "PT0S"))));
        return EdgeApplication.start(settings, Config.just(ConfigSources.create(Map.of("port", "0",
                "host", "127.0.0.1"))), CloudEdges.sync(broker.uri()), clock);
    }

    @Test
    void paidAtTheExitOrAtThePayStationTheCarTheRampBroughtInLeavesTheCount(@TempDir Path dir) throws Exception {
        String lot = CloudEdges.uniqueLot();
        Clock clock = Clock.systemUTC();
        try (FakePaymentWorker worker = new FakePaymentWorker(broker.uri());
             EdgeApplication edge = start(dir, lot, clock)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().state() == PaymentLink.State.ONLINE);
            ParkingService parking = edge.parking();
            var sim = edge.hardware().simulator().orElseThrow();
            sim.driveRamp("up", RampDetector.Passage.IN);
            sim.driveRamp("up", RampDetector.Passage.IN);
            await().atMost(Duration.ofSeconds(10)).until(() -> edge.availability().current().free() == 3);

            // issued on the level above two hours ago: 600 cents to pay
            TicketSigner otherLevel = new TicketSigner(lot, edge.settings().ticketSecret());
            String byCard = otherLevel.sign("L1-session-card", clock.instant().minus(Duration.ofHours(2)));
            ParkingService.Departure d = parking.depart("out-1", byCard, "pm_paid");
            assertThat(d.paymentStatus(), is(PaymentStatus.PAID));
            assertThat(d.gateOpens(), is(true));
            assertThat("the paid exit took out the car the ramp brought in",
                    edge.availability().current().free(), is(4));

            String atStation = otherLevel.sign("L1-session-station", clock.instant().minus(Duration.ofHours(2)));
            assertThat(parking.payAtStation(atStation, "pm_paid").status(), is(PaymentStatus.PAID));
            // one more car up the ramp recounts the level while the paid row is open: it must not hold a space
            sim.driveRamp("up", RampDetector.Passage.IN);
            await().atMost(Duration.ofSeconds(10)).until(() -> edge.availability().current().free() != 4);
            assertThat("paying here does not make another level's car take a second space",
                    edge.availability().current().free(), is(3));
            ParkingService.Departure after = parking.depart("out-1", atStation, null);
            assertThat(after.gateOpens(), is(true));
            assertThat(edge.availability().current().free(), is(4));
            assertThat(edge.availability().current().drift(), is(0L));
        }
    }
}
