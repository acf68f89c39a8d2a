package org.openparking.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The short form of the broker, database and backlog faults, run in CI: a lot on its own RabbitMQ node
 * and PostgreSQL cluster, the node killed with kill -9 and the cluster stopped with {@code -m immediate}
 * under traffic, each restarted on the same port and data, and the edges' link cut while a burst of
 * entries queues events at the edges; then every acknowledged car and payment must be counted once and
 * every fault must have recovered. The long backlog (10 minutes, 50,000 events) is a documented command.
 */
@Tag("chaos")
class ChaosServicesShortTest {

    @Test
    void nothingIsLostOrDoubledThroughBrokerKillsDatabaseCrashesAndABacklog() throws Exception {
        Cli cli = new Cli(new String[] {"--duration", "120s", "--cars", "60", "--levels", "2", "--workers", "1",
                "--occupancy", "counting", "--spots", "20000", "--chaos-every", "3s",
                "--faults", "broker,postgres,backlog", "--cut", "15s", "--backlog", "500", "--drain-timeout", "4m"},
                ChaosSuite.OPTIONS);

        ChaosSuite.Result result = ChaosSuite.run(ChaosSuite.options(cli), System.out);

        Map<String, Faults.Row> faults = result.faults().stream()
                .collect(Collectors.toMap(Faults.Row::kind, Function.identity()));
        assertThat("broker killed", faults.containsKey("broker"), is(true));
        assertThat("postgres stopped", faults.containsKey("postgres"), is(true));
        assertThat("backlog queued at the edges", faults.containsKey("backlog"), is(true));
        assertThat("events queued when the link came back", faults.get("backlog").maxInFlight(), greaterThan(0L));
        for (Faults.Row f : result.faults()) {
            assertThat(f.kind() + " thrown", f.thrown(), greaterThanOrEqualTo(1));
            assertThat(f.kind() + ": every throw recovered", f.notRecovered(), is(0));
        }
        assertThat("drained: outboxes and queues empty", result.drained(), is(true));
        for (CountingReport.Row row : result.report().rows()) {
            assertThat(row.what() + ": missing", row.missing(), is(0L));
            assertThat(row.what() + ": duplicated", row.duplicated(), is(0L));
            assertThat(row.what() + ": double-charged", row.doubleCharged(), is(0L));
        }
        assertThat("sessions were acknowledged", result.report().rows().getFirst().expected(), greaterThan(0L));
    }
}
