package org.openparking.edge.lane;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.openparking.edge.MutableClock;
import org.openparking.edge.TestEdge;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.VehicleType;

/**
 * A stopped edge leaves no passage timer behind: the lane timer's pending timeouts used to run after close (a
 * scheduled executor's shutdown still runs delayed tasks), lowering a closed barrier into a closed database and
 * logging three lines per lane into whatever ran next in the same process.
 */
class PassageTimerAfterCloseTest {

    @Test
    void anEdgeClosedWithAGateOpenRunsNoPassageTimeoutAfterwards() throws Exception {
        Path dir = Files.createTempDirectory("edge-close");
        EdgeSettings s = TestEdge.settings(dir, "close-lot", Map.of(VehicleType.STANDARD, 5),
                EdgeSettings.OccupancyMode.COUNTING, Duration.ZERO,
                new EdgeSettings.Mqtt("", "test", "", "", Duration.ofSeconds(10)), List.of());
        // Longer than the 2 s close waits for the timer thread, as the default 30 s is.
        Duration timeout = Duration.ofMillis(2_500);
        s = new EdgeSettings(s.lotId(), s.levelId(), s.db(), s.hardware(), s.occupancyMode(), s.lanes(), s.spots(),
                s.tariff(), s.ticketSecret(), timeout, s.payments(), s.mqtt(), s.amqpUri(), EdgeSettings.Auth.open());
        List<LogRecord> lane = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String name = r.getLoggerName();
                if (name != null && (name.startsWith("org.openparking.edge.lane.")
                        || name.equals("org.openparking.firmware.Listeners"))) {
                    lane.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        TestEdge edge = TestEdge.start(dir, s, new MutableClock(Instant.now()));
        try {
            assertThat(edge.post("/lanes/in-1/entries", "{\"plate\":\"CLOSE1\"}").status(), is(201));
            assertThat(edge.phase("in-1"), is("GATE_OPEN"));
        } finally {
            edge.close();
        }
        Logger.getLogger("").addHandler(capture);
        try {
            // Nothing may be logged until well past the moment a leaked timer would fire.
            await("no lane log line after close").during(timeout.plusSeconds(1)).atMost(timeout.plusSeconds(5))
                    .until(() -> lane.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList(),
                            is(empty()));
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
    }
}
