package org.openparking.simulator;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edge whose data directory fills up, as an SD card does: the level's SQLite file lives on a 24 MiB
 * tmpfs the test mounts (and unmounts); under entry traffic a filler file takes the last free byte. The
 * edge must refuse entries with a clear error (503 STORAGE_UNAVAILABLE, JSON) instead of corrupting or
 * dying, and take entries again once the filler is gone; the file then passes integrity_check and holds
 * every acknowledged session. Needs root for {@code mount -t tmpfs} (CI runs as root).
 */
@Tag("chaos")
class EdgeDiskFullTest {

    @Test
    void aFullDataDirectoryRefusesEntriesCleanlyAndResumesWhenSpaceComesBack(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mount -t tmpfs needs root");
        Path mnt = Files.createDirectories(dir.resolve("data"));
        run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt.toString());
        try (EdgeFaultRig rig = new EdgeFaultRig(dir, mnt.resolve("edge.db"))) {
            rig.edge.start();
            rig.edge.awaitHealthy(Duration.ofSeconds(240));
            rig.drive();
            rig.awaitEntries(50, Duration.ofSeconds(120));

            Path filler = mnt.resolve("filler");
            long filled = fill(filler);
            try {
                await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ofMillis(100))
                        .pollInterval(Duration.ofMillis(100)).until(() -> {
                            fill(filler); // the edge's own writes may have freed pages (a WAL checkpoint): take them too
                            return rig.refused("STORAGE_UNAVAILABLE") >= 20;
                        });
            } catch (ConditionTimeoutException fewer) {
                // Fewer than 20 in the time: the assertions below say whether the edge refused any.
            }
            int ackedWhenFull = rig.acknowledged.size();
            System.out.printf("disk full (%d bytes of filler): %d entries refused with STORAGE_UNAVAILABLE, e.g. %s%n",
                    filled, rig.refused("STORAGE_UNAVAILABLE"), rig.refusalBodies.get("STORAGE_UNAVAILABLE"));
            assertThat("entries refused while the disk is full; refusals: " + rig.refusals,
                    rig.refused("STORAGE_UNAVAILABLE"), greaterThan(0L));
            assertThat(rig.refusalBodies.get("STORAGE_UNAVAILABLE"), containsString("503"));
            assertThat("the edge stays up with a full disk", rig.edge.healthy(), is(true));
            Set<String> unknown = new HashSet<>(rig.refusals.keySet());
            unknown.removeAll(List.of("STORAGE_UNAVAILABLE", "LANE_BUSY"));
            assertThat("only clear refusals: " + rig.refusalBodies, unknown, is(empty()));

            Files.delete(filler);
            long freed = System.nanoTime();
            rig.awaitEntries(50, Duration.ofSeconds(120));
            double resumeSeconds = (System.nanoTime() - freed) / 1e9;
            rig.stopDriving();
            rig.edge.kill9();

            EdgeFaultRig.Stored stored = rig.stored();
            assertThat("PRAGMA integrity_check after the disk was full", stored.integrity(), is("ok"));
            Set<String> missing = new HashSet<>(rig.acknowledged);
            missing.removeAll(stored.sessions());
            assertThat("acknowledged with 201 but not in the file", missing, is(empty()));
            assertThat("each session stored once", stored.sessionRows(), is((long) stored.sessions().size()));
            // a refused entry changed nothing: only the requests in flight when the edge was killed may be stored unanswered
            assertThat("sessions stored beyond those acknowledged", stored.sessionRows() - rig.acknowledged.size(),
                    lessThanOrEqualTo((long) EdgeFaultRig.LANES));
            System.out.printf("disk-full result: %d acknowledged (%d before the disk filled), %d refused with"
                            + " STORAGE_UNAVAILABLE, missing 0, duplicated 0, integrity ok, entries again %.1fs after"
                            + " space came back%n", rig.acknowledged.size(), ackedWhenFull,
                    rig.refused("STORAGE_UNAVAILABLE"), resumeSeconds);
        } finally {
            run("umount", "-l", mnt.toString());
        }
    }

    /** Appends to the filler until the file system says no more; returns the filler's size. */
    private static long fill(Path filler) throws IOException {
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return Files.size(filler);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
