package org.openparking.edge.sync;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.platform.config.ConfigInput;

class SyncSettingsTest {
    private static SyncSettings read(Map<String, String> env) {
        return SyncSettings.create(EdgeSettings.load(ConfigInput.environment(env)).get("cloud"));
    }

    @Test
    void aFreshCheckoutIsOfflineWithAHeartbeatThatNoticesADeadLinkWithin30Seconds() {
        SyncSettings s = read(Map.of());
        assertThat(s.enabled(), is(false));
        assertThat(s.heartbeat().compareTo(Duration.ofSeconds(10)) <= 0, is(true));
        assertThat(s.retention(), is(Duration.ofDays(7)));
    }

    @Test
    void environmentOverridesApplyAndTheUriIsNotPrinted() {
        SyncSettings s = read(Map.of("CLOUD_AMQP_URI", "amqp://edge:s3cret@cloud:5672/parking",
                "CLOUD_MAX_IN_FLIGHT", "64", "CLOUD_RETENTION", "P1D"));
        assertThat(s.enabled(), is(true));
        assertThat(s.maxInFlight(), is(64));
        assertThat(s.retention(), is(Duration.ofDays(1)));
        assertThat(s.toString(), not(containsString("s3cret")));
    }

    @Test
    void aHeartbeatTooSlowToNoticeADeadLinkOrAGarbledDurationIsRefusedWithItsKey() {
        IllegalArgumentException slow = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("CLOUD_HEARTBEAT", "PT60S")));
        assertThat(slow.getMessage(), containsString("cloud.heartbeat"));
        IllegalArgumentException garbled = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("CLOUD_CONFIRM_TIMEOUT", "soon")));
        assertThat(garbled.getMessage(), containsString("cloud.confirm-timeout"));
    }

    @Test
    void theNodeListComesFromTheEnvironmentAndABadOneIsRefusedNamingItsKey() {
        SyncSettings s = read(Map.of("CLOUD_AMQP_URI", "amqp://edge:s3cret@mq-0:5672/parking",
                "CLOUD_AMQP_NODES", "mq-0:5672,mq-1:5672,mq-2:5672"));
        assertThat(s.broker().nodes(), is(List.of("mq-0:5672", "mq-1:5672", "mq-2:5672")));
        assertThat(read(Map.of()).broker().nodes(), is(List.of()));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("CLOUD_AMQP_URI", "amqp://edge:s3cret@mq-0/parking", "CLOUD_AMQP_NODES",
                        "mq-0:5672,mq-1:99999")));
        assertThat(bad.getMessage(), containsString("cloud.amqp-nodes"));
        assertThat(bad.getMessage(), containsString("entry 2 of 2"));
        assertThat(bad.getMessage(), not(containsString("mq-1")));
        IllegalArgumentException offline = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("CLOUD_AMQP_NODES", "mq-0:5672")));
        assertThat(offline.getMessage(), containsString("cloud.amqp-uri is empty"));
    }
}
