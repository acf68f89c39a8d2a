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
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.platform.config.ConfigException;
import org.openparking.platform.config.ConfigInput;

/** application.yaml, then PARKING_CONFIG, then -D system properties, then environment variables named after the keys. */
class MainConfigTest {
    @Test
    void defaultsComeFromApplicationYaml() {
        CloudSettings s = CloudSettings.create(Main.loadConfig(ConfigInput.environment(Map.of())));
        assertThat(s.port(), is(8081));
        assertThat(s.db().url(), is("jdbc:postgresql://127.0.0.1:5432/test?user=postgres"));
        assertThat(s.broker().uri(), is("amqp://guest:guest@127.0.0.1:5672/%2F"));
        assertThat(s.ingest().prefetch(), is(1000));
        assertThat(s.ingest().consumers(), is(1));
        assertThat(s.ingest().maxBatch(), is(500));
        assertThat(s.offlineAfter(), is(Duration.ofSeconds(120)));
    }

    @Test
    void environmentOverridesTheFileWhichOverridesTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cloud.yaml");
        Files.writeString(file, "amqp:\n  prefetch: 7\n  consumers: 2\nserver:\n  port: 9000\n");
        CloudSettings s = CloudSettings.create(Main.loadConfig(ConfigInput.environment(Map.of(
                "PARKING_CONFIG", file.toString(),
                "SERVER_PORT", "9100",
                "DB_URL", "jdbc:postgresql://db:5432/fleet",
                "AMQP_URI", "amqp://u:p@mq:5672/prod",
                "FLEET_OFFLINE_AFTER", "PT30S"))));
        assertThat(s.port(), is(9100));
        assertThat(s.ingest().prefetch(), is(7));
        assertThat(s.ingest().consumers(), is(2));
        assertThat(s.db().url(), is("jdbc:postgresql://db:5432/fleet"));
        assertThat(s.broker().uri(), is("amqp://u:p@mq:5672/prod"));
        assertThat(s.offlineAfter(), is(Duration.ofSeconds(30)));
    }

    @Test
    void trustedProxiesAreNoneByDefaultAndACommaSeparatedListFromTheEnvironment() {
        assertThat(org.openparking.cloud.auth.AuthSettings.create(Main.loadConfig(ConfigInput.environment(Map.of()))).trustedProxies(),
                is(java.util.List.of()));
        assertThat(org.openparking.cloud.auth.AuthSettings.create(Main.loadConfig(ConfigInput.environment(Map.of(
                "LIMITS_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16")))).trustedProxies(),
                is(java.util.List.of("10.0.0.5", "10.1.0.0/16")));
        assertThrows(IllegalArgumentException.class, () -> org.openparking.cloud.auth.AuthSettings.create(
                Main.loadConfig(ConfigInput.environment(Map.of("LIMITS_TRUSTED_PROXIES", "proxy.internal")))));
    }

    @Test
    void aPrefetchOfOneIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> CloudSettings.create(Main.loadConfig(ConfigInput.environment(Map.of("AMQP_PREFETCH", "1")))));
    }

    @Test
    void aSystemPropertyOverridesTheDefaults() {
        CloudSettings s = CloudSettings.create(Main.loadConfig(ConfigInput.environment(Map.of())
                .withSystemProperties(Map.of("server.port", "9090", "commands.republish-interval", "PT3S"))));
        assertThat(s.port(), is(9090));
        assertThat(s.republishInterval(), is(Duration.ofSeconds(3)));
    }

    @Test
    void aMissingConfigFileStopsTheStartInsteadOfBeingIgnored(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> Main.loadConfig(ConfigInput.environment(
                Map.of("PARKING_CONFIG", dir.resolve("missing.yaml").toString()))));
        assertThat(e.key(), is("PARKING_CONFIG"));
    }

    @Test
    void theDefaultsIssueWhatTheEdgesExpectAndLiveOnlyInApplicationYaml() {
        AuthSettings d = AuthSettings.defaults();
        assertThat(d, is(AuthSettings.create(Main.loadConfig(ConfigInput.environment(Map.of())))));
        assertThat(d.issuer(), is("openparking-cloud"));
        assertThat(d.audience(), is("openparking-api"));
        assertThat(d.tokenTtl(), is(Duration.ofMinutes(15)));
    }

    @Test
    void aDurationInTheOldSecondsStyleIsRefusedWithItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CloudSettings.create(
                Main.loadConfig(ConfigInput.environment(Map.of("FLEET_OFFLINE_AFTER", "120")))));
        assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("fleet.offline-after"));
    }

    @Test
    void anOperatorsDatabaseTimeoutsAndBrokerPolicyReachTheSettings() {
        CloudSettings d = CloudSettings.defaults();
        assertThat(d.db().statementTimeout(), is(Duration.ofSeconds(30)));
        assertThat(d.broker().heartbeat(), is(Duration.ofSeconds(10)));
        assertThat(d.ingest().requeueBackoffMax(), is(Duration.ofSeconds(5)));
        CloudSettings s = CloudSettings.create(Main.loadConfig(ConfigInput.environment(Map.of(
                "DB_STATEMENT_TIMEOUT", "PT2M",
                "DB_POOL_TIMEOUT", "PT1S",
                "AMQP_HEARTBEAT", "PT4S",
                "AMQP_BACKOFF_MAX", "PT1M",
                "AMQP_REQUEUE_BACKOFF_MAX", "PT2S"))));
        assertThat(s.db().statementTimeout(), is(Duration.ofMinutes(2)));
        assertThat(s.db().poolTimeout(), is(Duration.ofSeconds(1)));
        assertThat(s.broker().heartbeat(), is(Duration.ofSeconds(4)));
        assertThat(s.broker().backoffMax(), is(Duration.ofMinutes(1)));
        assertThat(s.ingest().requeueBackoffMax(), is(Duration.ofSeconds(2)));
    }

    @Test
    void withChangesOnlyThePortTheDatabaseAndTheBroker() {
        CloudSettings d = CloudSettings.defaults();
        CloudSettings s = d.with(0, "jdbc:postgresql://db/other", "amqp://u:p@mq/vh");
        assertThat(s.port(), is(0));
        assertThat(s.db(), is(d.db().with("jdbc:postgresql://db/other", d.db().poolSize())));
        assertThat(s.broker(), is(d.broker().withUri("amqp://u:p@mq/vh")));
        assertThat(s.ingest(), is(d.ingest()));
    }
}
