package org.openparking.payment;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import java.util.logging.Logger;
import org.openparking.platform.config.ConfigInput;
import org.openparking.platform.config.ParkingConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.openparking.payment.worker.CrashPoints;

/**
 * Composition root of the payment worker: reads its configuration (environment, -D, the YAML file named by
 * {@code PARKING_CONFIG}, {@code application.yaml}; see {@link ParkingConfig}) and starts the application.
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
        // A configuration mistake: one line naming the key, exit 2, nothing started half-configured.
        WorkerSettings settings = ParkingConfig.orExit(() -> WorkerSettings.create(loadConfig(ConfigInput.process())));
        if (settings.stripe().apiKey().isBlank()) {
            LOG.warning("stripe.api-key is empty (set STRIPE_API_KEY): every charge will be held");
        }
        PaymentApplication app = startWhenReachable(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
    }

    /**
     * Broker or database not up yet (a cold start of the whole site): keep trying with backoff, do not
     * crash-loop. A configuration mistake (IllegalArgumentException) is not retried.
     */
    private static PaymentApplication startWhenReachable(WorkerSettings settings) {
        Retry retry = Retry.of("payment-worker-start", RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                // The broker connection policy's backoff (amqp.backoff-initial .. amqp.backoff-max).
                .intervalFunction(IntervalFunction.ofExponentialBackoff(settings.broker().backoffInitial(), 2.0,
                        settings.broker().backoffMax()))
                .retryOnException(e -> !(e instanceof IllegalArgumentException))
                .build());
        retry.getEventPublisher().onRetry(e -> LOG.warning("cannot start yet (attempt " + e.getNumberOfRetryAttempts()
                + ": " + e.getLastThrowable() + "), retrying in " + e.getWaitInterval().toMillis() + " ms"));
        return Retry.decorateCheckedSupplier(retry, () -> PaymentApplication.start(settings,
                CrashPoints.NONE)).unchecked().get();
    }

    /** The layered configuration; highest first: environment, -D, PARKING_CONFIG file, application.yaml. */
    static Config loadConfig(ConfigInput input) {
        return ParkingConfig.load(input);
    }
}
