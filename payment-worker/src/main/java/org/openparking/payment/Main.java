package org.openparking.payment;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import java.util.logging.Logger;
import org.openparking.platform.config.ConfigInput;
import org.openparking.platform.config.ParkingConfig;

/**
 * Composition root of the payment worker: reads its configuration (environment, -D, the YAML file named by
 * {@code PARKING_CONFIG}, {@code application.yaml}; see {@link ParkingConfig}) and starts the application.
 */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        // HttpURLConnection (under stripe-java) resends a POST once on a broken connection by
        // itself; retries belong to resilience4j, where they are counted and backed off.
        System.setProperty("sun.net.http.retryPost", "false");
        LogConfig.configureRuntime();
        // A configuration mistake: one line naming the key, exit 2, nothing started half-configured.
        WorkerSettings settings = ParkingConfig.orExit(() ->
                WorkerSettings.create(loadConfig(ConfigInput.process())));
        if (settings.stripe().apiKey().isBlank()) {
            LOG.warning("stripe.api-key is empty (set STRIPE_API_KEY): every charge will be held");
        }
        PaymentApplication app = startWhenReachable(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
    }

    /** Broker or database not up yet (a cold start of the whole site): keep trying, do not crash-loop. */
    private static PaymentApplication startWhenReachable(WorkerSettings settings) throws InterruptedException {
        long delayMs = 1000;
        while (true) {
            try {
                return PaymentApplication.start(settings);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (Exception e) {
                LOG.warning("cannot start yet (" + e + "), retrying in " + delayMs + " ms");
                Thread.sleep(delayMs);
                delayMs = Math.min(delayMs * 2, 30_000);
            }
        }
    }

    /** The layered configuration; highest first: environment, -D, PARKING_CONFIG file, application.yaml. */
    static Config loadConfig(ConfigInput input) {
        return ParkingConfig.load(input);
    }
}
