package org.openparking.payment;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.logging.common.LogConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.openparking.payment.worker.CrashPoints;
import org.openparking.platform.amqp.BrokerSettings;
import org.openparking.protocol.config.EnvOverrides;

/**
 * Composition root of the payment worker: reads {@code application.yaml}, then the YAML file named
 * by {@code PARKING_CONFIG}, then environment overrides (EnvOverrides), and starts the application.
 */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        // HttpURLConnection (under stripe-java) resends a POST once on a broken connection by
        // itself; retries belong to resilience4j, where they are counted and backed off.
        System.setProperty("sun.net.http.retryPost", "false");
        LogConfig.configureRuntime();
        Config config = loadConfig(Optional.ofNullable(System.getenv("PARKING_CONFIG"))
                .filter(s -> !s.isBlank()).map(Path::of), System.getenv());
        WorkerSettings settings = WorkerSettings.from(config);
        if (settings.stripe().apiKey().isBlank()) {
            LOG.warning("stripe.api-key is empty (set STRIPE_API_KEY): every charge will be held");
        }
        PaymentApplication app = startWhenReachable(settings, BrokerSettings.create(config.get("amqp")));
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
    }

    /**
     * Broker or database not up yet (a cold start of the whole site): keep trying with backoff, do not
     * crash-loop. A configuration mistake (IllegalArgumentException) is not retried.
     */
    private static PaymentApplication startWhenReachable(WorkerSettings settings, BrokerSettings broker) {
        Retry retry = Retry.of("payment-worker-start", RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofSeconds(1), 2.0,
                        Duration.ofSeconds(30)))
                .retryOnException(e -> !(e instanceof IllegalArgumentException))
                .build());
        retry.getEventPublisher().onRetry(e -> LOG.warning("cannot start yet (attempt " + e.getNumberOfRetryAttempts()
                + ": " + e.getLastThrowable() + "), retrying in " + e.getWaitInterval().toMillis() + " ms"));
        return Retry.decorateCheckedSupplier(retry, () -> PaymentApplication.start(settings, broker,
                CrashPoints.NONE)).unchecked().get();
    }

    /** The layered configuration; highest first: environment, PARKING_CONFIG file, classpath defaults. */
    static Config loadConfig(Optional<Path> file, Map<String, String> env) {
        file.ifPresent(p -> {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("PARKING_CONFIG names " + p + ", which cannot be read");
            }
        });
        Config layered = file
                .map(p -> Config.just(ConfigSources.file(p), ConfigSources.classpath("application.yaml")))
                .orElseGet(() -> Config.just(ConfigSources.classpath("application.yaml")));
        List<String> keys = layered.traverse().filter(Config::isLeaf).map(c -> c.key().toString()).toList();
        Map<String, String> overrides = EnvOverrides.overrides(keys, env);
        return file
                .map(p -> Config.just(ConfigSources.create(overrides), ConfigSources.file(p),
                        ConfigSources.classpath("application.yaml")))
                .orElseGet(() -> Config.just(ConfigSources.create(overrides),
                        ConfigSources.classpath("application.yaml")));
    }
}
