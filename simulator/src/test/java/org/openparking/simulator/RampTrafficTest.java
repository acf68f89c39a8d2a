package org.openparking.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A multi-storey lot in the simulator: two counting levels joined by a ramp with loop counters at both ends
 * (the packaged edge jars, cloud-sync, payment workers). Half the cars drive up the ramp after the gate and
 * back down before leaving. After the day every level's count is exactly its open sessions, every ramp
 * passage was counted (none refused at a bound), and the acknowledged cars are all in PostgreSQL.
 */
class RampTrafficTest {

    @Test
    void carsDrivingUpAndDownTheRampLeaveEveryLevelsCountRight() throws Exception {
        Cli cli = new Cli(new String[] {"--duration", "30s", "--cars", "40", "--levels", "2", "--workers", "1",
                "--occupancy", "counting", "--spots", "30", "--ramp-share", "0.5", "--drive-offs", "0.1"},
                Cli.TRAFFIC);
        Ledger ledger = new Ledger();
        try (Lot lot = Lot.start(Cli.lot(cli, 1500, Duration.ofSeconds(3)), Lot.repositoryRoot())) {
            Traffic traffic = new Traffic(lot, Cli.traffic(cli, Duration.ofSeconds(30), 40), ledger);
            traffic.run(Duration.ofSeconds(60), () -> System.out.println(traffic.progressLine()));
            assertThat("every car finished its day", traffic.inside(), is(0));
            LevelCounts counts = LevelCounts.read(lot);
            System.out.println(counts.describe());
            assertThat("cars drove over the ramp", ledger.rampTrips.get(), greaterThan(4L));
            for (LevelCounts.Level level : counts.levels()) {
                assertThat(level.levelId() + " occupied", level.occupied(), is(level.expected()));
                assertThat(level.levelId() + " ramp passages not counted", level.absorbed(), is(0L));
                assertThat(level.levelId() + " drift", level.drift(), is(0L));
                assertThat(level.levelId() + " in and out over its ramps", level.rampsIn(), is(level.rampsOut()));
            }
            // every trip up is an OUT at the ground level and an IN at the upper level, and back down the reverse
            assertThat(counts.levels().get(1).rampsIn() * 2, is(ledger.rampTrips.get()));
            assertThat(counts.levels().get(0).rampsOut(), is(counts.levels().get(1).rampsIn()));
        }
    }
}
