package org.openparking.platform.amqp;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.text;

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
            userOf(uri); // refuses a URI that is not AMQP
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
     * Maps a broker section: {@code uri}, {@code heartbeat}, {@code connection-timeout}, {@code backoff-initial},
     * {@code backoff-max}, durations in ISO-8601 ({@code PT10S}), and the authors of {@link Authors#create}.
     * Every key is required: its default lives in the service's {@code application.yaml}. A wrong or missing
     * value names its key.
     */
    public static BrokerSettings create(Config section) {
        return new BrokerSettings(text(section, "uri"), duration(section, "heartbeat"),
                duration(section, "connection-timeout"), duration(section, "backoff-initial"),
                duration(section, "backoff-max"), Authors.create(section));
    }

    /**
     * Explicit values whose only trusted author is the URI's own user (platform tests, where every side of a
     * test runs as that one user).
     */
    public BrokerSettings(String uri, Duration heartbeat, Duration connectionTimeout, Duration backoffInitial,
                          Duration backoffMax) {
        this(uri, heartbeat, connectionTimeout, backoffInitial, backoffMax, new Authors(null, null, ownUser(uri)));
    }

    private static Set<String> ownUser(String uri) {
        return uri == null || uri.isBlank() ? Set.of() : Set.of(userOf(uri));
    }

    private static String userOf(String uri) {
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        try {
            f.setUri(uri.trim());
        } catch (Exception e) {
            // The message of a URISyntaxException may quote the URI, password included: say only why.
            throw new IllegalArgumentException("the broker URI is not a valid AMQP URI ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        return f.getUsername();
    }

    /** The broker user of the URI (the client's default {@code guest} when it names none); null without a broker. */
    public String username() {
        return enabled() ? userOf(uri) : null;
    }

    public boolean enabled() {
        return !uri.isBlank();
    }

    /** The same policy and authors on another broker or vhost (tests). */
    public BrokerSettings withUri(String otherUri) {
        return new BrokerSettings(otherUri, heartbeat, connectionTimeout, backoffInitial, backoffMax, authors);
    }

    public BrokerSettings withBackoff(Duration initial, Duration max) {
        return new BrokerSettings(uri, heartbeat, connectionTimeout, initial, max, authors);
    }

    public BrokerSettings withAuthors(Authors newAuthors) {
        return new BrokerSettings(uri, heartbeat, connectionTimeout, backoffInitial, backoffMax, newAuthors);
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
