package org.openparking.platform.amqp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.Address;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerSettingsTest {
    private static Config config(Map<String, String> values) {
        return Config.just(ConfigSources.create(values));
    }

    @Test
    void aSectionIsMappedWithIsoDurations() {
        BrokerSettings s = BrokerSettings.create(config(Map.of("amqp.uri", "amqp://u:secret@host/vh", "amqp.nodes", "",
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
        BrokerSettings off = BrokerSettings.create(config(Map.of("amqp.uri", "", "amqp.nodes", "", "amqp.heartbeat", "PT5S",
                "amqp.connection-timeout", "PT2S", "amqp.backoff-initial", "PT0.2S", "amqp.backoff-max", "PT10S"))
                .get("amqp"));
        assertThat(off.enabled(), is(false));
        // No default written in code: a section without the key is refused, naming it.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.uri", "amqp://h", "amqp.nodes", "")).get("amqp")));
        assertThat(e.getMessage(), containsString("amqp.heartbeat"));
    }

    @Test
    void aWrongValueNamesItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.uri", "amqp://h", "amqp.nodes", "", "amqp.heartbeat", "10", "amqp.connection-timeout", "PT2S",
                        "amqp.backoff-initial", "PT0.2S", "amqp.backoff-max", "PT10S")).get("amqp")));
        assertThat(e.getMessage(), containsString("amqp.heartbeat"));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.uri", "amqp://h", "amqp.nodes", "", "amqp.heartbeat", "PT5S", "amqp.connection-timeout", "PT2S",
                        "amqp.backoff-initial", "PT10S", "amqp.backoff-max", "PT1S")).get("amqp")));
        assertThat(order.getMessage(), containsString("backoff-max"));
    }

    private static BrokerSettings withNodes(String uri, String nodes) {
        return BrokerSettings.create(config(Map.of("amqp.uri", uri, "amqp.nodes", nodes, "amqp.heartbeat", "PT5S",
                "amqp.connection-timeout", "PT2S", "amqp.backoff-initial", "PT0.2S", "amqp.backoff-max", "PT10S"))
                .get("amqp"));
    }

    @Test
    void aNodeListIsParsedTrimmedAndBecomesTheClientsAddresses() {
        BrokerSettings s = withNodes("amqp://u:secret@mq/vh", " mq-0:5672, 10.0.0.2:5673 ,[::1]:5674");
        assertThat(s.nodes(), is(List.of("mq-0:5672", "10.0.0.2:5673", "[::1]:5674")));
        assertThat(s.addresses(), is(List.of(new Address("mq-0", 5672), new Address("10.0.0.2", 5673),
                new Address("::1", 5674))));
        assertThat(withNodes("amqp://mq", "  ").nodes(), is(List.of()));
        assertThat(withNodes("amqp://mq", "").addresses(), is(List.of()));
        // another broker (tests) is that broker only
        assertThat(s.withUri("amqp://other").nodes(), is(List.of()));
        assertThat(s.withBackoff(Duration.ofMillis(1), Duration.ofMillis(2)).nodes(), is(s.nodes()));
    }

    @Test
    void aBadNodeListIsRefusedNamingTheKeyAndNeverQuotingTheValue() {
        Map<String, String> bad = Map.of(
                "mq-0:5672,,mq-2:5672", "entry 2 of 3 is empty",
                "mq-0:5672,", "entry 2 of 2 is empty",
                "mq-0", "entry 1 of 1 has no port",
                "mq-0:", "has no port",
                ":5672", "has no host",
                "mq-0:0", "not 1-65535",
                "mq-0:65536", "not 1-65535",
                "mq-0:56x2", "not 1-65535",
                "::1:5672", "in brackets",
                "amqp://u:hunter2@mq-0:5672", "is not host:port");
        bad.forEach((value, why) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> withNodes("amqp://u:hunter2@mq/vh", value), value);
            assertThat(value, e.getMessage(), startsWith("amqp.nodes "));
            assertThat(value, e.getMessage(), containsString(why));
            assertThat(value, e.getMessage(), not(containsString("hunter2")));
            assertThat(value, e.getMessage(), not(containsString("mq-0")));
        });
        IllegalArgumentException noUri = assertThrows(IllegalArgumentException.class, () -> withNodes("", "mq-0:5672"));
        assertThat(noUri.getMessage(), containsString("no broker URI"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> BrokerSettings.create(
                config(Map.of("amqp.uri", "amqp://h", "amqp.heartbeat", "PT5S", "amqp.connection-timeout", "PT2S",
                        "amqp.backoff-initial", "PT0.2S", "amqp.backoff-max", "PT10S")).get("amqp")));
        assertThat(missing.getMessage(), containsString("amqp.nodes"));
    }
}
