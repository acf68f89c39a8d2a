package org.openparking.edge.realtime;

import java.time.Instant;
import java.util.Objects;
import org.openparking.edge.lane.LaneView;
import org.openparking.edge.occupancy.Availability;

/** What the level pushes to live clients (MQTT, server-sent events, the sign). */
public sealed interface LiveEvent {
    /** A committed change of the level's availability. */
    record AvailabilityChanged(Availability availability) implements LiveEvent {
        public AvailabilityChanged {
            Objects.requireNonNull(availability, "availability");
        }
    }

    /** A lane's barrier or phase changed. */
    record LaneChanged(LaneView lane) implements LiveEvent {
        public LaneChanged {
            Objects.requireNonNull(lane, "lane");
        }
    }

    /**
     * The controller checked at {@code confirmedAt} that {@code availability} is still what the database holds.
     * Sent every heartbeat; its absence is what makes signs and consoles show their data as stale.
     */
    record Heartbeat(Availability availability, Instant confirmedAt) implements LiveEvent {
        public Heartbeat {
            Objects.requireNonNull(availability, "availability");
            Objects.requireNonNull(confirmedAt, "confirmedAt");
        }

        /** The availability with {@code updatedAt} set to the confirmation time, as MQTT republishes it. */
        public Availability confirmed() {
            Availability a = availability;
            return new Availability(a.lotId(), a.levelId(), a.capacity(), a.occupied(), a.free(), a.byType(),
                    a.status(), a.version(), confirmedAt, a.drift());
        }
    }
}
