package org.openparking.edge.realtime;

import org.openparking.edge.TestEdge;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.firmware.SignContent;
import org.openparking.protocol.VehicleType;

/**
 * When the controller can no longer confirm its numbers (here: its database is gone), the sign blanks within
 * three heartbeats and SSE clients stop getting heartbeats but keep getting keep-alive comments.
 */
class StalenessTest {
    @Test
    void aBoardBehindTheDatabaseIsReloadedByTheHeartbeat() {
        try (TestEdge edge = LiveEdge.start(LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3))
                .heartbeat(Duration.ofMillis(200)))) {
            long version = edge.app().availability().current().version();
            // A change committed without a publish (which the code never does): the heartbeat must notice.
            edge.app().database().write(c -> {
                try (var ps = c.prepareStatement("UPDATE spots SET occupied = 1 WHERE spot_id = 'STANDARD-001'")) {
                    ps.executeUpdate();
                }
                try (var ps = c.prepareStatement(
                        "UPDATE level_state SET availability_version = availability_version + 1")) {
                    ps.executeUpdate();
                }
                return null;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> edge.app().availability().current().version() > version);
            assertThat(edge.app().availability().current().free(), is(2));
            assertThat(edge.app().hardware().sign().showing(), is(new SignContent.Free(2)));
        }
    }

    @Test
    void anUnreadableDatabaseBlanksTheSignAndStopsTheHeartbeats() throws Exception {
        try (TestEdge edge = LiveEdge.start(LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3))
                .heartbeat(Duration.ofMillis(200)));
             SseClient sse = new SseClient(edge.base() + "/availability/stream")) {
            sse.next("heartbeat", Duration.ofSeconds(10));
            assertThat(edge.app().hardware().sign().showing(), is(new SignContent.Free(3)));

            edge.app().database().close();

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> edge.app().hardware().sign().showing().equals(new SignContent.Blank()));
            int comments = sse.comments();
            await().atMost(Duration.ofSeconds(10)).until(() -> sse.comments() > comments);
        }
    }
}
