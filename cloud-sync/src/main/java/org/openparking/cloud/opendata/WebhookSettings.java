package org.openparking.cloud.opendata;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;
import static org.openparking.platform.config.ConfigValues.text;

import io.helidon.config.Config;
import java.time.Duration;
import org.openparking.platform.config.ParkingConfig;

/**
 * Partner webhooks ({@code webhooks.*}; defaults only in application.yaml).
 *
 * @param pollInterval       how often changed levels are looked for and due deliveries sent
 * @param coalesceInterval   at most one availability.changed per level and partner in this interval
 * @param timeout            one delivery attempt
 * @param backoffInitial     the first retry pause, doubled per failure
 * @param backoffMax         the longest retry pause
 * @param maxAttempts        failed attempts after which a delivery is dead
 * @param allowHttpLocalhost http://127.0.0.1 and http://localhost endpoints allowed (tests, development)
 */
public record WebhookSettings(Duration pollInterval, Duration coalesceInterval, Duration timeout,
                              Duration backoffInitial, Duration backoffMax, int maxAttempts,
                              boolean allowHttpLocalhost) {
    public WebhookSettings {
        for (Duration d : new Duration[] {pollInterval, timeout, backoffInitial, backoffMax}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("webhooks durations must be positive, was " + d);
            }
        }
        if (coalesceInterval.isNegative()) {
            throw new IllegalArgumentException("webhooks.coalesce-interval must not be negative");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("webhooks.max-attempts must be at least 1, was " + maxAttempts);
        }
    }

    public static WebhookSettings create(Config config) {
        Config s = config.get("webhooks");
        String allow = text(s, "allow-http-localhost");
        if (!allow.equals("true") && !allow.equals("false")) {
            throw new IllegalArgumentException("webhooks.allow-http-localhost must be true or false, was " + allow);
        }
        return new WebhookSettings(duration(s, "poll-interval"), duration(s, "coalesce-interval"),
                duration(s, "timeout"), duration(s, "backoff-initial"), duration(s, "backoff-max"),
                integer(s, "max-attempts"), Boolean.parseBoolean(allow));
    }

    public static WebhookSettings defaults() {
        return create(ParkingConfig.defaults());
    }

    /** The pause before attempt {@code attempts + 1}. */
    Duration backoff(int attempts) {
        Duration d = backoffInitial;
        for (int i = 1; i < attempts && d.compareTo(backoffMax) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(backoffMax) > 0 ? backoffMax : d;
    }
}
