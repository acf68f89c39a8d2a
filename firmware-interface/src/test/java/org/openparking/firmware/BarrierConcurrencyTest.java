package org.openparking.firmware;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.openparking.firmware.BarrierState.CLOSED;
import static org.openparking.firmware.BarrierState.CLOSING;
import static org.openparking.firmware.BarrierState.FAULT;
import static org.openparking.firmware.BarrierState.OPEN;
import static org.openparking.firmware.BarrierState.OPENING;

/** Commands, loop changes and timer callbacks from many threads at once: listeners still see one legal path. */
class BarrierConcurrencyTest {
    private static final Map<BarrierState, Set<BarrierState>> LEGAL = Map.of(
            CLOSED, EnumSet.of(OPENING, FAULT),
            OPENING, EnumSet.of(OPEN, CLOSING, FAULT),
            OPEN, EnumSet.of(CLOSING, FAULT),
            CLOSING, EnumSet.of(CLOSED, OPENING, FAULT),
            FAULT, EnumSet.of(OPENING, CLOSING));

    @Test
    void listenersSeeEveryChangeInOrderUnderConcurrentUse() throws InterruptedException {
        HardwareConfig config = new HardwareConfig(HardwareConfig.Mode.SIMULATED, Duration.ZERO, Duration.ofMillis(1),
                List.of(LevelHardwareContract.LANE_WIRING), List.of(), null);
        try (LevelHardware level = HardwareFactory.create(config)) {
            SimulatedLevel simulator = level.simulator().orElseThrow();
            BarrierGate barrier = level.barrier("L1");
            List<BarrierState> seen = new CopyOnWriteArrayList<>();
            barrier.onStateChange(seen::add);

            int threads = 4;
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                Thread.ofPlatform().start(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < 3_000; i++) {
                        switch (random.nextInt(10)) {
                            case 0, 1, 2 -> barrier.raise();
                            case 3, 4, 5 -> barrier.lower();
                            case 6, 7 -> simulator.setSafetyLoop("L1", random.nextBoolean());
                            case 8 -> simulator.injectBarrierFault("L1", "jam");
                            default -> {
                                try {
                                    barrier.resetFault();
                                } catch (HardwareException ignored) {
                                    // the simulated drive never refuses; kept for symmetry with GPIO
                                }
                            }
                        }
                    }
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS), is(true));

            simulator.setSafetyLoop("L1", false);
            barrier.resetFault();
            barrier.lower();
            await().until(barrier::state, is(CLOSED));
            await().until(() -> !seen.isEmpty() && seen.getLast() == CLOSED);

            List<String> illegal = new ArrayList<>();
            BarrierState previous = CLOSED;
            for (BarrierState next : seen) {
                if (!LEGAL.get(previous).contains(next)) {
                    illegal.add(previous + " -> " + next);
                }
                previous = next;
            }
            assertThat(illegal, empty());
        }
    }
}
