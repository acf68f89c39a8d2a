package org.openparking.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The chaos suite's short form, run in CI against the jars built in the same reactor
 * (../edge-controller/target/edge-controller.jar etc.): a short day of traffic on two levels while
 * each kind of chaos happens at least once, then the counting report must be all zeros.
 */
@Tag("chaos")
class ChaosShortTest {

    @Test
    void everyAcknowledgedCarAndPaymentIsCountedOnceThroughKillsAndCuts() throws Exception {
        Cli cli = new Cli(new String[] {"--duration", "50s", "--cars", "60", "--levels", "2", "--workers", "2",
                "--chaos-every", "3s", "--cut", "8s", "--drain-timeout", "3m"}, ChaosSuite.OPTIONS);

        ChaosSuite.Result result = ChaosSuite.run(ChaosSuite.options(cli), System.out);

        List<String> kinds = result.actions().stream().map(ChaosShortTest::kind).toList();
        assertThat(kinds, hasItem("kill edge"));
        assertThat(kinds, hasItem("close connections"));
        assertThat(kinds, hasItem("kill cloud-sync"));
        assertThat(kinds, hasItem("kill payment-worker"));
        assertThat(kinds, hasItem("cut link"));
        assertThat("drained: outboxes and queues empty", result.drained(), is(true));
        for (CountingReport.Row row : result.report().rows()) {
            assertThat(row.what() + ": missing", row.missing(), is(0L));
            assertThat(row.what() + ": duplicated", row.duplicated(), is(0L));
            assertThat(row.what() + ": double-charged", row.doubleCharged(), is(0L));
        }
        assertThat("sessions were acknowledged", result.report().rows().getFirst().expected(), greaterThan(0L));
    }

    private static String kind(String action) {
        if (action.contains("kill -9 edge")) {
            return "kill edge";
        } else if (action.contains("kill -9 cloud-sync")) {
            return "kill cloud-sync";
        } else if (action.contains("kill -9 payment-worker")) {
            return "kill payment-worker";
        } else if (action.contains("close all broker connections")) {
            return "close connections";
        } else if (action.contains("cut every edge")) {
            return "cut link";
        }
        return "other";
    }
}
