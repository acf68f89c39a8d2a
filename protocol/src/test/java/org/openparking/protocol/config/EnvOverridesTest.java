package org.openparking.protocol.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvOverridesTest {
    @Test
    void dotsAndDashesBecomeUnderscores() {
        assertThat(EnvOverrides.variableFor("edge.lot-id"), is("EDGE_LOT_ID"));
        assertThat(EnvOverrides.variableFor("cloud.amqp-uri"), is("CLOUD_AMQP_URI"));
    }

    @Test
    void onlyKnownKeysPresentInTheEnvironmentAreOverridden() {
        Map<String, String> env = Map.of("EDGE_LOT_ID", "lot9", "UNRELATED", "x");
        assertThat(EnvOverrides.overrides(List.of("edge.lot-id", "edge.level-id"), env),
                is(Map.of("edge.lot-id", "lot9")));
    }
}
