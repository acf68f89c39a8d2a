package org.openparking.platform.amqp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerSettingsTest {
    private static Config config(Map<String, String> values) {
        return Config.just(ConfigSources.create(values));
    }

    @Test
    void aSectionIsMappedWithIsoDurations() {
        BrokerSettings s = BrokerSettings.create(config(Map.of("amqp.uri", "amqp://u:secret@host/vh",
                "amqp.heartbeat", "PT5S", "amqp.connection-timeout", "PT2S", "amqp.backoff-initial", "PT0.2S",
                "amqp.backoff-max", "PT10S")).get("amqp"));
        assertThat(s.uri(), is("amqp://u:secret@host/vh"));
        assertThat(s.heartbeat(), is(Duration.ofSeconds(5)));
        assertThat(s.connectionTimeout(), is(Duration.ofSeconds(2)));
        assertThat(s.backoffInitial(), is(Duration.ofMillis(200)));
        assertThat(s.backoffMax(), is(Duration.ofSeconds(10)));
        assertThat(s.toString(), not(containsString("secret")));
    }

    @Test
    void aBlankUriMeansNoBrokerAndAMissingKeyIsNamed() {
        BrokerSettings off = BrokerSettings.create(config(Map.of("amqp.uri", "", "amqp.heartbeat", "PT5S",
                "amqp.connection-timeout", "PT2S", "amqp.backoff-initial", "PT0.2S", "amqp.backoff-max", "PT10S"))
                .get("amqp"));
        assertThat(off.enabled(), is(false));
        // No default written in code: a section without the key is refused, naming it.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.uri", "amqp://h")).get("amqp")));
        assertThat(e.getMessage(), containsString("amqp.heartbeat"));
    }

    @Test
    void aWrongValueNamesItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.uri", "amqp://h", "amqp.heartbeat", "10", "amqp.connection-timeout", "PT2S",
                        "amqp.backoff-initial", "PT0.2S", "amqp.backoff-max", "PT10S")).get("amqp")));
        assertThat(e.getMessage(), containsString("amqp.heartbeat"));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.uri", "amqp://h", "amqp.heartbeat", "PT5S", "amqp.connection-timeout", "PT2S",
                        "amqp.backoff-initial", "PT10S", "amqp.backoff-max", "PT1S")).get("amqp")));
        assertThat(order.getMessage(), containsString("backoff-max"));
    }
}
