package org.openparking.edge.realtime;

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
    void anUnreadableDatabaseBlanksTheSignAndStopsTheHeartbeats() throws Exception {
        try (LiveEdge edge = LiveEdge.start(LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 3))
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
