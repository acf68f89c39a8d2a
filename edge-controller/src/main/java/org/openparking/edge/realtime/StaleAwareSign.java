package org.openparking.edge.realtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.openparking.edge.occupancy.Availability;
import org.openparking.firmware.LevelSign;
import org.openparking.firmware.SignContent;

/**
 * The level's LED sign: free spaces, {@code FULL} or {@code CLOSED}, and {@code --} (blank) when its data is
 * stale. Data is fresh while a committed change or a heartbeat confirmed it within {@code staleAfter}
 * (three heartbeats, the same rule MQTT signs apply to {@code updatedAt}). A driver is better served by a
 * blank sign than by an old number.
 */
final class StaleAwareSign {
    private final LevelSign sign;
    private final Duration staleAfter;
    private final Clock clock;
    private Availability latest;
    private Instant confirmedAt;

    StaleAwareSign(LevelSign sign, Duration staleAfter, Clock clock) {
        this.sign = sign;
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    synchronized void accept(LiveEvent event) {
        switch (event) {
            case LiveEvent.AvailabilityChanged c -> {
                latest = c.availability();
                confirmedAt = clock.instant();
            }
            case LiveEvent.Heartbeat h -> {
                latest = h.availability();
                confirmedAt = h.confirmedAt();
            }
            case LiveEvent.LaneChanged l -> {
                return;
            }
        }
        check();
    }

    /** Re-evaluates staleness; called on every event and by a watchdog timer. */
    synchronized void check() {
        SignContent next = contentFor(latest, confirmedAt, clock.instant());
        if (!next.equals(sign.showing())) {
            sign.show(next);
        }
    }

    SignContent contentFor(Availability a, Instant confirmed, Instant now) {
        if (a == null || confirmed == null || Duration.between(confirmed, now).compareTo(staleAfter) > 0) {
            return new SignContent.Blank();
        }
        return switch (a.status()) {
            case CLOSED -> new SignContent.Closed();
            case FULL -> new SignContent.Full();
            case OPEN -> new SignContent.Free(a.free());
        };
    }
}
