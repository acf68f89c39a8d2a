package org.openparking.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power-cut simulation of an edge: kill -9 at a random moment while six lanes commit entries as fast as
 * they can (each a synchronous=FULL SQLite transaction, so the process is mostly inside fsync), many
 * times over; then the file must pass {@code PRAGMA integrity_check} and hold every session acknowledged
 * with 201, once, each with its outbox event. SIGKILL loses what the process had not handed to the
 * kernel; it does not lose the disk's write cache (that needs real power): see docs/reliability.md.
 * {@code -Dpowercut.rounds=N} for a longer run (default 6).
 */
@Tag("chaos")
class EdgePowerCutTest {

    @Test
    void everyAcknowledgedEntrySurvivesRepeatedKillNineMidWrite(@TempDir Path dir) throws Exception {
        int rounds = Integer.getInteger("powercut.rounds", 6);
        Random random = new Random(17);
        long t0 = System.nanoTime();
        double maxRecovery = 0;
        try (EdgeFaultRig rig = new EdgeFaultRig(dir, dir.resolve("edge.db"))) {
            rig.drive();
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                rig.edge.start();
                rig.awaitEntries(1, Duration.ofSeconds(240));
                if (round > 0) {
                    maxRecovery = Math.max(maxRecovery, (System.nanoTime() - start) / 1e9);
                }
                Thread.sleep(300 + random.nextInt(1500)); // the cut lands anywhere in the stream of commits
                int inFlight = EdgeFaultRig.LANES; // one request per lane is always on its way
                rig.edge.kill9();
                System.out.printf("power cut %d/%d: %d entries acknowledged so far, up to %d in flight%n",
                        round + 1, rounds, rig.acknowledged.size(), inFlight);
            }
            rig.stopDriving();
            EdgeFaultRig.Stored stored = rig.stored();

            assertThat("PRAGMA integrity_check after " + rounds + " power cuts", stored.integrity(), is("ok"));
            Set<String> missing = new HashSet<>(rig.acknowledged);
            missing.removeAll(stored.sessions());
            assertThat("acknowledged with 201 but not in the file", missing, is(empty()));
            assertThat("each session stored once", stored.sessionRows(), is((long) stored.sessions().size()));
            assertThat("every acknowledged session has its outbox event", stored.openedEvents(),
                    is((long) rig.acknowledged.size()));
            assertThat(rig.acknowledged.size(), greaterThan(rounds));
            System.out.printf("power-cut result: %d cuts, %d acknowledged, %d stored (%d stored without an answer:"
                            + " in flight at a cut), missing 0, duplicated 0, integrity ok, max restart-to-first-entry %.0fs,"
                            + " %.0fs in all%n", rounds, rig.acknowledged.size(), stored.sessionRows(),
                    stored.sessionRows() - rig.acknowledged.size(), maxRecovery, (System.nanoTime() - t0) / 1e9);
        }
    }
}
