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
 * The short form of the broker fault on a 3-node cluster, run in CI: a lot on a private 3-node RabbitMQ
 * cluster, every service given all three nodes, the node leading the most quorum queues killed with kill -9
 * under traffic and restarted until it rejoins, and every edge's proxies to all three nodes cut; then every
 * acknowledged car and payment must be counted once and every fault must have recovered. The long run
 * (10 minutes) is a documented command (docs/reliability.md).
 */
@Tag("chaos")
class ChaosClusterShortTest {

    @Test
    void nothingIsLostOrDoubledThroughKillsOfAClusterNode() throws Exception {
        Cli cli = new Cli(new String[] {"--duration", "90s", "--cars", "60", "--levels", "2", "--workers", "1",
                "--occupancy", "counting", "--spots", "20000", "--chaos-every", "3s", "--broker-nodes", "3",
                "--faults", "broker,cut", "--cut", "10s", "--drain-timeout", "3m"},
                ChaosSuite.OPTIONS);

        ChaosSuite.Result result = ChaosSuite.run(ChaosSuite.options(cli), System.out);

        Map<String, Faults.Row> faults = result.faults().stream()
                .collect(Collectors.toMap(Faults.Row::kind, Function.identity()));
        assertThat("a cluster node killed", faults.containsKey("broker"), is(true));
        assertThat("the edges' links cut", faults.containsKey("cut"), is(true));
        assertThat("a killed node rejoined the cluster: " + result.actions(),
                result.actions().stream().anyMatch(a -> a.contains("rejoined the cluster")), is(true));
        for (Faults.Row f : result.faults()) {
            assertThat(f.kind() + " thrown", f.thrown(), greaterThanOrEqualTo(1));
            assertThat(f.kind() + ": every throw recovered", f.notRecovered(), is(0));
        }
        assertThat("drained: outboxes and queues empty", result.drained(), is(true));
        assertThat("no record missing, duplicated or double-charged:\n" + result.report().table(),
                result.report().clean(), is(true));
        assertThat("sessions were acknowledged", result.report().rows().getFirst().expected(), greaterThan(0L));
    }
}
