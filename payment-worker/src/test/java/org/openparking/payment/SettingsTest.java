package org.openparking.payment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.helidon.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.platform.config.ConfigException;
import org.openparking.platform.config.ConfigInput;
import org.openparking.protocol.CardNumbers;
import org.openparking.testing.StripeStubs;
import org.openparking.testing.TestHttp;

/** Configuration layering, secrets kept out of dumps and logs, and the observe endpoints. */
class SettingsTest extends WorkerTestBase {

    @Test
    void defaultsComeFromApplicationYaml() {
        WorkerSettings s = WorkerSettings.create(Main.loadConfig(ConfigInput.environment(Map.of())));
        assertThat(s.serverPort(), is(8082));
        assertThat(s.stripe().apiBase(), is("https://api.stripe.com"));
        assertThat(s.stripe().rateLimitPerSecond(), is(80));
        assertThat(s.worker().consumers(), is(2));
    }

    @Test
    void environmentOverridesFileOverridesClasspath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("worker.yaml");
        Files.writeString(file, "stripe:\n  api-base: http://file:1\n  rate-limit-per-second: 5\n"
                + "worker:\n  consumers: 4\n");
        Config config = Main.loadConfig(ConfigInput.environment(Map.of("PARKING_CONFIG", file.toString(),
                "STRIPE_API_BASE", "http://env:2",
                "STRIPE_API_KEY", "sk_live_fromenv", "DB_URL", "jdbc:postgresql://db/x",
                "STRIPE_RETRY_MAX_ATTEMPTS", "7")));
        WorkerSettings s = WorkerSettings.create(config);
        assertThat(s.stripe().apiBase(), is("http://env:2"));
        assertThat(s.stripe().apiKey(), is("sk_live_fromenv"));
        assertThat(s.stripe().rateLimitPerSecond(), is(5));
        assertThat(s.stripe().retryMaxAttempts(), is(7));
        assertThat(s.worker().consumers(), is(4));
        assertThat(s.db().url(), is("jdbc:postgresql://db/x"));
    }

    @Test
    void durationsAreIsoAndAWrongOneIsRefusedWithItsKey() {
        WorkerSettings s = WorkerSettings.create(Main.loadConfig(ConfigInput.environment(Map.of())
                .withSystemProperties(Map.of("worker.hold-delay", "PT0.1S"))));
        assertThat(s.worker().holdDelay(), is(java.time.Duration.ofMillis(100)));
        assertThat(s.worker().holdMax(), is(java.time.Duration.ofMinutes(10)));
        assertThat(s.stripe().retryInitialBackoff(), is(java.time.Duration.ofMillis(200)));
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> WorkerSettings.create(Main.loadConfig(ConfigInput.environment(Map.of("WORKER_HOLD_DELAY",
                        "5000")))));
        assertThat(e.key(), is("worker.hold-delay"));
    }

    @Test
    void anOperatorsDatabaseTimeoutsAndBrokerPolicyReachTheSettings() {
        WorkerSettings d = WorkerSettings.defaults();
        assertThat(d.db().poolTimeout(), is(java.time.Duration.ofSeconds(30)));
        assertThat(d.broker().heartbeat(), is(java.time.Duration.ofSeconds(10)));
        WorkerSettings s = WorkerSettings.create(Main.loadConfig(ConfigInput.environment(Map.of(
                "DB_STATEMENT_TIMEOUT", "PT3M", "DB_POOL_TIMEOUT", "PT2S", "AMQP_HEARTBEAT", "PT3S",
                "AMQP_BACKOFF_INITIAL", "PT1S"))));
        assertThat(s.db().statementTimeout(), is(java.time.Duration.ofMinutes(3)));
        assertThat(s.db().poolTimeout(), is(java.time.Duration.ofSeconds(2)));
        assertThat(s.broker().heartbeat(), is(java.time.Duration.ofSeconds(3)));
        assertThat(s.broker().backoffInitial(), is(java.time.Duration.ofSeconds(1)));
    }

    @Test
    void aMissingConfigFileStopsTheStart(@TempDir Path dir) {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> Main.loadConfig(ConfigInput.environment(Map.of("PARKING_CONFIG",
                        dir.resolve("missing.yaml").toString()))));
        assertThat(e.key(), is("PARKING_CONFIG"));
    }

    @Test
    void secretsAreMaskedInToString() {
        WorkerSettings s = settings(1);
        String dump = s.toString();
        assertThat(dump, not(containsString(API_KEY)));
        assertThat(dump, not(containsString(WEBHOOK_SECRET)));
        assertThat(dump, containsString("sk_test_****"));
        assertThat(dump, not(containsString("guest:guest")));
    }

    @Test
    void aRealStartLogsNoSecretAndServesObserveEndpoints() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(String.valueOf(r.getMessage()) + " " + String.valueOf(r.getThrown()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            stubIntentsForMetrics();
            PaymentApplication app = startWorker();
            String id = newPaymentId();
            send(payment(id));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> !paymentResults(edgeResults, id).isEmpty());
            TestHttp http = TestHttp.create();
            TestHttp.Response health = http.get("http://127.0.0.1:" + app.port() + "/observe/health");
            assertThat(health.status(), is(200));
            assertThat(health.text(), containsString("connected"));
            TestHttp.Response metrics = http.get("http://127.0.0.1:" + app.port() + "/observe/metrics");
            assertThat(metrics.status(), is(200));
            assertThat(metrics.text(), containsString("payment_requests"));
        } finally {
            root.removeHandler(capture);
        }
        String all = String.join("\n", lines);
        assertThat(all, containsString("starting with"));
        assertThat(all, not(containsString(API_KEY)));
        assertThat(all, not(containsString(WEBHOOK_SECRET)));
    }

    private static void stubIntentsForMetrics() {
        StripeStubs.stubIntents(stripe, StripeStubs.intent("succeeded"));
    }

    @Test
    void cardNumbersAreRecognisedAndRedacted() {
        assertThat(CardNumbers.looksLikePan("4242424242424242"), is(true));
        assertThat(CardNumbers.looksLikePan("4242-4242-4242-4242"), is(true));
        assertThat(CardNumbers.looksLikePan("378282246310005"), is(true));
        assertThat(CardNumbers.looksLikePan("pm_card_visa"), is(false));
        assertThat(CardNumbers.looksLikePan("123456789012"), is(false));
        assertThat(CardNumbers.redact("{\"paymentMethod\":\"4242 4242 4242 4242\",\"seq\":12}"),
                is("{\"paymentMethod\":\"[redacted]\",\"seq\":12}"));
        assertThat(CardNumbers.redact("2026-11-25T00:18:34Z"), is("2026-11-25T00:18:34Z"));
    }
}
