package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** application.yaml, then PARKING_CONFIG, then environment variables named after the keys. */
class MainConfigTest {
    @Test
    void defaultsComeFromApplicationYaml() {
        CloudSettings s = CloudSettings.from(Main.loadConfig(Map.of()));
        assertThat(s.port(), is(8081));
        assertThat(s.dbUrl(), is("jdbc:postgresql://127.0.0.1:5432/test?user=postgres"));
        assertThat(s.amqpUri(), is("amqp://guest:guest@127.0.0.1:5672/%2F"));
        assertThat(s.prefetch(), is(200));
        assertThat(s.consumers(), is(1));
        assertThat(s.maxBatch(), is(100));
        assertThat(s.offlineAfter(), is(Duration.ofSeconds(120)));
    }

    @Test
    void environmentOverridesTheFileWhichOverridesTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cloud.yaml");
        Files.writeString(file, "amqp:\n  prefetch: 7\n  consumers: 2\nserver:\n  port: 9000\n");
        CloudSettings s = CloudSettings.from(Main.loadConfig(Map.of(
                "PARKING_CONFIG", file.toString(),
                "SERVER_PORT", "9100",
                "DB_URL", "jdbc:postgresql://db:5432/fleet",
                "AMQP_URI", "amqp://u:p@mq:5672/prod",
                "FLEET_OFFLINE_AFTER_SECONDS", "30")));
        assertThat(s.port(), is(9100));
        assertThat(s.prefetch(), is(7));
        assertThat(s.consumers(), is(2));
        assertThat(s.dbUrl(), is("jdbc:postgresql://db:5432/fleet"));
        assertThat(s.amqpUri(), is("amqp://u:p@mq:5672/prod"));
        assertThat(s.offlineAfter(), is(Duration.ofSeconds(30)));
    }

    @Test
    void trustedProxiesAreNoneByDefaultAndACommaSeparatedListFromTheEnvironment() {
        assertThat(org.openparking.cloud.auth.AuthSettings.from(Main.loadConfig(Map.of())).trustedProxies(),
                is(java.util.List.of()));
        assertThat(org.openparking.cloud.auth.AuthSettings.from(Main.loadConfig(Map.of(
                "LIMITS_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16"))).trustedProxies(),
                is(java.util.List.of("10.0.0.5", "10.1.0.0/16")));
        assertThrows(IllegalArgumentException.class, () -> org.openparking.cloud.auth.AuthSettings.from(
                Main.loadConfig(Map.of("LIMITS_TRUSTED_PROXIES", "proxy.internal"))));
    }

    @Test
    void aPrefetchOfOneIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> CloudSettings.from(Main.loadConfig(Map.of("AMQP_PREFETCH", "1"))));
    }
}
