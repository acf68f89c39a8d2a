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
    void theEdgesCloudSectionNamesItsUriAmqpUri() {
        BrokerSettings s = BrokerSettings.create(config(Map.of("cloud.amqp-uri", "amqp://edge@cloud/parking"))
                .get("cloud"));
        assertThat(s.uri(), is("amqp://edge@cloud/parking"));
        assertThat(s.heartbeat(), is(BrokerSettings.defaults("").heartbeat()));
        assertThat(BrokerSettings.create(config(Map.of()).get("cloud")).enabled(), is(false));
    }

    @Test
    void aWrongValueNamesItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.uri", "amqp://h", "amqp.heartbeat", "10")).get("amqp")));
        assertThat(e.getMessage(), containsString("amqp.heartbeat"));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.backoff-initial", "PT10S", "amqp.backoff-max", "PT1S")).get("amqp")));
        assertThat(order.getMessage(), containsString("backoff-max"));
    }
}
