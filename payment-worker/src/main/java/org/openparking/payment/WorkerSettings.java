package org.openparking.payment;

import static org.openparking.platform.config.ConfigValues.decimal;
import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;
import static org.openparking.platform.config.ConfigValues.oneOf;
import static org.openparking.platform.config.ConfigValues.text;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.Objects;
import org.openparking.platform.amqp.BrokerSettings;
import org.openparking.platform.config.ParkingConfig;
import org.openparking.platform.jdbc.PostgresSettings;

/**
 * Everything the payment worker is configured with, read once by {@link Main}. The Stripe secret
 * key and the webhook secret are masked in {@link #toString()}, so a config dump never leaks them.
 */
public record WorkerSettings(BrokerSettings broker, PostgresSettings db, int serverPort, Stripe stripe,
                             Worker worker) {

    public WorkerSettings {
        Objects.requireNonNull(broker, "amqp");
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(stripe, "stripe");
        Objects.requireNonNull(worker, "worker");
        if (!broker.enabled()) {
            throw new IllegalArgumentException("amqp.uri is required");
        }
    }

    /** Stripe client, rate limit, retry and circuit breaker settings. */
    public record Stripe(String apiKey, String apiBase, String webhookSecret, Duration connectTimeout,
                         Duration readTimeout, int rateLimitPerSecond, Duration rateLimitWait, int retryMaxAttempts,
                         Duration retryInitialBackoff, double retryMultiplier, Duration retryMaxBackoff,
                         int breakerFailureRatePercent, int breakerMinimumCalls, int breakerWindowSize,
                         Duration breakerOpenWait, boolean simulated, int webhookMaxBody) {
        public Stripe {
            Objects.requireNonNull(apiKey, "stripe.api-key");
            Objects.requireNonNull(webhookSecret, "stripe.webhook-secret");
            if (apiBase == null || !(apiBase.startsWith("https://") || apiBase.startsWith("http://"))) {
                throw new IllegalArgumentException("stripe.api-base must be an http(s) URL");
            }
            if (rateLimitPerSecond < 1) {
                throw new IllegalArgumentException("stripe.rate-limit-per-second must be at least 1");
            }
            if (retryMaxAttempts < 1) {
                throw new IllegalArgumentException("stripe.retry.max-attempts must be at least 1");
            }
            if (retryMultiplier < 1.0) {
                throw new IllegalArgumentException("stripe.retry.multiplier must be at least 1");
            }
            if (breakerFailureRatePercent < 1 || breakerFailureRatePercent > 100) {
                throw new IllegalArgumentException("stripe.breaker.failure-rate-percent must be 1..100");
            }
            if (breakerMinimumCalls < 1 || breakerWindowSize < 1) {
                throw new IllegalArgumentException("stripe.breaker minimum-calls and window-size must be positive");
            }
            if (webhookMaxBody < 1) {
                throw new IllegalArgumentException("stripe.webhook-max-body must be positive");
            }
        }

        /** stripe: the real API; simulated: in-memory, Stripe's test tokens, no real charge (development). */
        public enum Mode { STRIPE, SIMULATED }

        /** The {@code stripe} section. */
        public static Stripe create(Config s) {
            return new Stripe(text(s, "api-key"), text(s, "api-base"), text(s, "webhook-secret"),
                    duration(s, "connect-timeout"), duration(s, "read-timeout"), integer(s, "rate-limit-per-second"),
                    duration(s, "rate-limit-wait"), integer(s, "retry.max-attempts"),
                    duration(s, "retry.initial-backoff"), decimal(s, "retry.multiplier"),
                    duration(s, "retry.max-backoff"), integer(s, "breaker.failure-rate-percent"),
                    integer(s, "breaker.minimum-calls"), integer(s, "breaker.window-size"),
                    duration(s, "breaker.open-wait"), oneOf(s, "mode", Mode.class) == Mode.SIMULATED,
                    integer(s, "webhook-max-body"));
        }

        @Override
        public String toString() {
            return "Stripe[mode=" + (simulated ? "simulated" : "stripe") + ", apiKey=" + mask(apiKey)
                    + ", apiBase=" + apiBase + ", webhookSecret=" + mask(webhookSecret)
                    + ", rateLimitPerSecond=" + rateLimitPerSecond + ", retryMaxAttempts=" + retryMaxAttempts
                    + ", retryInitialBackoff=" + retryInitialBackoff + ", retryMultiplier=" + retryMultiplier
                    + ", retryMaxBackoff=" + retryMaxBackoff + ", breakerFailureRatePercent="
                    + breakerFailureRatePercent + ", breakerMinimumCalls=" + breakerMinimumCalls
                    + ", breakerWindowSize=" + breakerWindowSize + ", breakerOpenWait=" + breakerOpenWait
                    + ", webhookMaxBody=" + webhookMaxBody + "]";
        }
    }

    /** Consumer settings. */
    public record Worker(int consumers, int prefetch, Duration holdMax, Duration holdDelay, Duration claimTimeout,
                         Duration pendingSweep, Duration pendingAge) {
        public Worker {
            if (consumers < 1) {
                throw new IllegalArgumentException("worker.consumers must be at least 1");
            }
            if (prefetch < 1) {
                throw new IllegalArgumentException("worker.prefetch must be at least 1");
            }
            Objects.requireNonNull(holdMax, "worker.hold-max");
            Objects.requireNonNull(holdDelay, "worker.hold-delay");
            Objects.requireNonNull(claimTimeout, "worker.claim-timeout");
            Objects.requireNonNull(pendingSweep, "worker.pending-sweep");
            Objects.requireNonNull(pendingAge, "worker.pending-age");
        }

        /** The {@code worker} section. */
        public static Worker create(Config w) {
            return new Worker(integer(w, "consumers"), integer(w, "prefetch"), duration(w, "hold-max"),
                    duration(w, "hold-delay"), duration(w, "claim-timeout"), duration(w, "pending-sweep"),
                    duration(w, "pending-age"));
        }
    }

    /** Maps the configuration (every default is in application.yaml). */
    public static WorkerSettings create(Config config) {
        return new WorkerSettings(BrokerSettings.create(config.get("amqp")), PostgresSettings.create(config.get("db")),
                integer(config.get("server"), "port"), Stripe.create(config.get("stripe")),
                Worker.create(config.get("worker")));
    }

    /** The built-in application.yaml alone (tests and embedded use). */
    public static WorkerSettings defaults() {
        return create(ParkingConfig.defaults());
    }

    /** Shows only a secret's kind prefix (sk_test_, whsec_), never its value. */
    static String mask(String secret) {
        if (secret == null || secret.isEmpty()) {
            return "<unset>";
        }
        int underscore = secret.lastIndexOf('_', Math.min(secret.length() - 1, 8));
        String prefix = underscore > 0 ? secret.substring(0, underscore + 1) : "";
        return prefix + "****";
    }

    @Override
    public String toString() {
        // Both settings records leave their URI's password out.
        return "WorkerSettings[broker=" + broker + ", db=" + db + ", serverPort=" + serverPort + ", stripe=" + stripe
                + ", worker=" + worker + "]";
    }
}
