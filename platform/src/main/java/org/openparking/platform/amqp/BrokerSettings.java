package org.openparking.platform.amqp;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How a service connects to RabbitMQ: the same policy in all three services (automatic and topology
 * recovery on, one heartbeat, connect and recovery with exponential backoff).
 *
 * @param uri               AMQP URI; blank means no broker (the edge runs offline)
 * @param heartbeat         AMQP heartbeat; a dead link is noticed after about two missed beats
 * @param connectionTimeout TCP connect and AMQP handshake, per attempt
 * @param backoffInitial    first delay after a failed connect or a lost link, doubled per failure...
 * @param backoffMax        ...up to this
 * @param authors           whose messages this service accepts: the service users and the trusted users
 *                          of the section ({@code cloud-sync-user}, {@code worker-user}, {@code trusted-users})
 */
public record BrokerSettings(String uri, Duration heartbeat, Duration connectionTimeout, Duration backoffInitial,
                             Duration backoffMax, Authors authors) {

    public BrokerSettings {
        uri = uri == null ? "" : uri.trim();
        if (!uri.isBlank()) {
            try {
                new com.rabbitmq.client.ConnectionFactory().setUri(uri);
            } catch (Exception e) {
                // The message of a URISyntaxException may quote the URI, password included: say only why.
                throw new IllegalArgumentException("the broker URI is not a valid AMQP URI ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        }
        Objects.requireNonNull(authors, "authors");
        positive(heartbeat, "heartbeat");
        positive(connectionTimeout, "connection-timeout");
        positive(backoffInitial, "backoff-initial");
        positive(backoffMax, "backoff-max");
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("backoff-max (" + backoffMax + ") is shorter than backoff-initial ("
                    + backoffInitial + ")");
        }
    }

    /**
     * What every service's {@code application.yaml} says. For settings built in code (tests, and the
     * services' own defaults records) with only a URI; the URI's own user may speak for anyone (every
     * service of such a test runs as that one user).
     */
    public static BrokerSettings defaults(String uri) {
        BrokerSettings d = new BrokerSettings(uri, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMillis(500), Duration.ofSeconds(30), new Authors(null, null, Set.of()));
        return d.enabled() ? d.withAuthors(new Authors(null, null, Set.of(d.username()))) : d;
    }

    /**
     * Maps a broker section: {@code uri} (the edge's {@code cloud} section calls it {@code amqp-uri}),
     * {@code heartbeat}, {@code connection-timeout}, {@code backoff-initial}, {@code backoff-max}, durations
     * in ISO-8601 ({@code PT10S}), and the authors of {@link Authors#create}. A wrong value names its key.
     */
    public static BrokerSettings create(Config section) {
        BrokerSettings d = defaults("");
        String uri = section.get("uri").asString()
                .orElseGet(() -> section.get("amqp-uri").asString().orElse(""));
        return new BrokerSettings(uri,
                duration(section, "heartbeat", d.heartbeat()),
                duration(section, "connection-timeout", d.connectionTimeout()),
                duration(section, "backoff-initial", d.backoffInitial()),
                duration(section, "backoff-max", d.backoffMax()),
                Authors.create(section));
    }

    /** The broker user of the URI (the client's default {@code guest} when it names none); null without a broker. */
    public String username() {
        if (!enabled()) {
            return null;
        }
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        try {
            f.setUri(uri);
        } catch (Exception e) {
            throw new IllegalStateException("checked in the constructor", e);
        }
        return f.getUsername();
    }

    public boolean enabled() {
        return !uri.isBlank();
    }

    public BrokerSettings withBackoff(Duration initial, Duration max) {
        return new BrokerSettings(uri, heartbeat, connectionTimeout, initial, max, authors);
    }

    public BrokerSettings withAuthors(Authors newAuthors) {
        return new BrokerSettings(uri, heartbeat, connectionTimeout, backoffInitial, backoffMax, newAuthors);
    }

    private static Duration duration(Config section, String key, Duration fallback) {
        String text = section.get(key).asString().orElse("");
        if (text.isBlank()) {
            return fallback;
        }
        try {
            return Duration.parse(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(section.key() + "." + key
                    + " must be an ISO-8601 duration such as PT10S, was " + text, e);
        }
    }

    private static void positive(Duration d, String key) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + d);
        }
    }

    @Override
    public String toString() {
        // The URI may carry a password.
        return "BrokerSettings[broker=" + (enabled() ? "on" : "off") + ", heartbeat=" + heartbeat
                + ", connectionTimeout=" + connectionTimeout + ", backoff=" + backoffInitial + ".." + backoffMax + "]";
    }
}
