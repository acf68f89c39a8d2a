package org.openparking.payment;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the payment worker is configured with, read once by {@link Main}. The Stripe secret
 * key and the webhook secret are masked in {@link #toString()}, so a config dump never leaks them.
 */
public record WorkerSettings(String amqpUri, String dbUrl, int dbPoolSize, int serverPort, Stripe stripe,
                             Worker worker) {

    public WorkerSettings {
        Objects.requireNonNull(amqpUri, "amqp.uri");
        Objects.requireNonNull(dbUrl, "db.url");
        Objects.requireNonNull(stripe, "stripe");
        Objects.requireNonNull(worker, "worker");
        if (amqpUri.isBlank()) {
            throw new IllegalArgumentException("amqp.uri is required");
        }
        if (dbUrl.isBlank()) {
            throw new IllegalArgumentException("db.url is required");
        }
        if (dbPoolSize < 1) {
            throw new IllegalArgumentException("db.pool-size must be at least 1");
        }
    }

    /** Stripe client, rate limit, retry and circuit breaker settings. */
    public record Stripe(String apiKey, String apiBase, String webhookSecret, Duration connectTimeout,
                         Duration readTimeout, int rateLimitPerSecond, Duration rateLimitWait, int retryMaxAttempts,
                         Duration retryInitialBackoff, double retryMultiplier, Duration retryMaxBackoff,
                         int breakerFailureRatePercent, int breakerMinimumCalls, int breakerWindowSize,
                         Duration breakerOpenWait, boolean simulated) {
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
        }

        /** A copy pointing at another API base (tests point it at WireMock). */
        public Stripe withApiBase(String base) {
            return new Stripe(apiKey, base, webhookSecret, connectTimeout, readTimeout, rateLimitPerSecond,
                    rateLimitWait, retryMaxAttempts, retryInitialBackoff, retryMultiplier, retryMaxBackoff,
                    breakerFailureRatePercent, breakerMinimumCalls, breakerWindowSize, breakerOpenWait, simulated);
        }

        /** A copy using the in-memory simulated provider instead of Stripe. */
        public Stripe asSimulated() {
            return new Stripe(apiKey, apiBase, webhookSecret, connectTimeout, readTimeout, rateLimitPerSecond,
                    rateLimitWait, retryMaxAttempts, retryInitialBackoff, retryMultiplier, retryMaxBackoff,
                    breakerFailureRatePercent, breakerMinimumCalls, breakerWindowSize, breakerOpenWait, true);
        }

        @Override
        public String toString() {
            return "Stripe[mode=" + (simulated ? "simulated" : "stripe") + ", apiKey=" + mask(apiKey)
                    + ", apiBase=" + apiBase + ", webhookSecret=" + mask(webhookSecret)
                    + ", rateLimitPerSecond=" + rateLimitPerSecond + ", retryMaxAttempts=" + retryMaxAttempts
                    + ", retryInitialBackoff=" + retryInitialBackoff + ", retryMultiplier=" + retryMultiplier
                    + ", retryMaxBackoff=" + retryMaxBackoff + ", breakerFailureRatePercent="
                    + breakerFailureRatePercent + ", breakerMinimumCalls=" + breakerMinimumCalls
                    + ", breakerWindowSize=" + breakerWindowSize + ", breakerOpenWait=" + breakerOpenWait + "]";
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
            Objects.requireNonNull(holdMax, "worker.hold-max-ms");
            Objects.requireNonNull(holdDelay, "worker.hold-delay-ms");
            Objects.requireNonNull(claimTimeout, "worker.claim-timeout-ms");
            Objects.requireNonNull(pendingSweep, "worker.pending-sweep-ms");
            Objects.requireNonNull(pendingAge, "worker.pending-age-ms");
        }
    }

    /** Reads the settings from a merged configuration (see {@link Main#loadConfig}). */
    public static WorkerSettings from(Config config) {
        Config s = config.get("stripe");
        Stripe stripe = new Stripe(
                s.get("api-key").asString().orElse(""),
                s.get("api-base").asString().orElse("https://api.stripe.com"),
                s.get("webhook-secret").asString().orElse(""),
                millis(s.get("connect-timeout-ms"), 10_000),
                millis(s.get("read-timeout-ms"), 30_000),
                s.get("rate-limit-per-second").asInt().orElse(80),
                millis(s.get("rate-limit-wait-ms"), 30_000),
                s.get("retry.max-attempts").asInt().orElse(5),
                millis(s.get("retry.initial-backoff-ms"), 200),
                s.get("retry.multiplier").asDouble().orElse(2.0),
                millis(s.get("retry.max-backoff-ms"), 5_000),
                s.get("breaker.failure-rate-percent").asInt().orElse(50),
                s.get("breaker.minimum-calls").asInt().orElse(10),
                s.get("breaker.window-size").asInt().orElse(20),
                millis(s.get("breaker.open-wait-ms"), 30_000),
                mode(s.get("mode").asString().orElse("stripe")));
        Config w = config.get("worker");
        Worker worker = new Worker(
                w.get("consumers").asInt().orElse(2),
                w.get("prefetch").asInt().orElse(4),
                millis(w.get("hold-max-ms"), 600_000),
                millis(w.get("hold-delay-ms"), 5_000),
                millis(w.get("claim-timeout-ms"), 120_000),
                millis(w.get("pending-sweep-ms"), 60_000),
                millis(w.get("pending-age-ms"), 60_000));
        return new WorkerSettings(
                config.get("amqp.uri").asString().orElse(""),
                config.get("db.url").asString().orElse(""),
                config.get("db.pool-size").asInt().orElse(10),
                config.get("server.port").asInt().orElse(8082),
                stripe, worker);
    }

    private static boolean mode(String mode) {
        return switch (mode) {
            case "stripe" -> false;
            case "simulated" -> true;
            default -> throw new IllegalArgumentException("stripe.mode must be stripe or simulated, was " + mode);
        };
    }

    private static Duration millis(Config c, long defaultMillis) {
        return Duration.ofMillis(c.asLong().orElse(defaultMillis));
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
        return "WorkerSettings[amqpUri=" + maskUri(amqpUri) + ", dbUrl=" + maskUri(dbUrl) + ", dbPoolSize="
                + dbPoolSize + ", serverPort=" + serverPort + ", stripe=" + stripe + ", worker=" + worker + "]";
    }

    /** Hides a password in a URI ({@code amqp://user:secret@host}, {@code ?password=...}). */
    static String maskUri(String uri) {
        return uri.replaceAll("(://[^:/@]+:)[^@]*@", "$1****@").replaceAll("(?i)(password=)[^&]*", "$1****");
    }
}
