package org.openparking.edge.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.edge.occupancy.Availability;
import org.openparking.firmware.HardwareConfig;
import org.openparking.firmware.HardwareFactory;
import org.openparking.firmware.LevelHardware;
import org.openparking.firmware.LevelSign;
import org.openparking.firmware.SignContent;
import org.openparking.protocol.VehicleType;

/** The sign blanks when nothing confirmed its number for three heartbeats, and comes back with the data. */
class StaleAwareSignTest {
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-11-25T08:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static Availability availability(int free, Availability.Status status, long version) {
        return new Availability("lot", "L0", 10, 10 - free, free,
                Map.of(VehicleType.STANDARD, new Availability.TypeCount(10, free)), status, version,
                Instant.parse("2026-11-25T08:00:00Z"), 0);
    }

    @Test
    void showsTheCountUntilItIsStaleThenBlanksUntilConfirmedAgain() {
        try (LevelHardware hardware = HardwareFactory.create(new HardwareConfig(HardwareConfig.Mode.SIMULATED,
                Duration.ZERO, Duration.ofMillis(10), List.of(), List.of(), null))) {
            LevelSign sign = hardware.sign();
            MovingClock clock = new MovingClock();
            StaleAwareSign driver = new StaleAwareSign(sign, HEARTBEAT.multipliedBy(3), clock);
            assertThat(sign.showing(), is(new SignContent.Blank())); // nothing known yet

            Availability a = availability(7, Availability.Status.OPEN, 1);
            driver.accept(new LiveEvent.AvailabilityChanged(a));
            assertThat(sign.showing(), is(new SignContent.Free(7)));

            clock.advance(HEARTBEAT.multipliedBy(3));
            driver.check();
            assertThat(sign.showing(), is(new SignContent.Free(7))); // exactly three heartbeats: still fresh

            clock.advance(Duration.ofMillis(1));
            driver.check();
            assertThat(sign.showing(), is(new SignContent.Blank()));
            assertThat(sign.showing().text(), is("--"));

            driver.accept(new LiveEvent.Heartbeat(a, clock.instant()));
            assertThat(sign.showing(), is(new SignContent.Free(7)));

            driver.accept(new LiveEvent.AvailabilityChanged(availability(0, Availability.Status.FULL, 2)));
            assertThat(sign.showing(), is(new SignContent.Full()));
            driver.accept(new LiveEvent.AvailabilityChanged(availability(0, Availability.Status.CLOSED, 3)));
            assertThat(sign.showing(), is(new SignContent.Closed()));
        }
    }
}
