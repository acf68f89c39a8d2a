package org.openparking.platform.amqp;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.text;

import com.rabbitmq.client.Address;
import io.helidon.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.openparking.platform.config.ConfigException;

/**
 * How a service connects to RabbitMQ: the same policy in all three services (automatic and topology
 * recovery on, one heartbeat, connect and recovery with exponential backoff).
 *
 * @param uri               AMQP URI; blank means no broker (the edge runs offline)
 * @param nodes             the cluster's nodes as {@code host:port}, tried (in the client's shuffled order) on
 *                          every connect and every recovery; empty means the URI's own host and port. The URI
 *                          still gives the user, password, vhost and TLS
 * @param heartbeat         AMQP heartbeat; a dead link is noticed after about two missed beats
 * @param connectionTimeout TCP connect and AMQP handshake, per attempt
 * @param backoffInitial    first delay after a failed connect or a lost link, doubled per failure...
 * @param backoffMax        ...up to this
 * @param authors           whose messages this service accepts: the service users and the trusted users
 *                          of the section ({@code cloud-sync-user}, {@code worker-user}, {@code trusted-users})
 */
public record BrokerSettings(String uri, List<String> nodes, Duration heartbeat, Duration connectionTimeout,
                             Duration backoffInitial, Duration backoffMax, Authors authors) {

    public BrokerSettings {
        uri = uri == null ? "" : uri.trim();
        if (!uri.isBlank()) {
            userOf(uri); // refuses a URI that is not AMQP
        }
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        if (!nodes.isEmpty()) {
            if (uri.isBlank()) {
                throw new IllegalArgumentException("nodes are set but no broker URI is: the URI gives the user,"
                        + " password and vhost");
            }
            for (int i = 0; i < nodes.size(); i++) {
                address(nodes.get(i), i, nodes.size(), "nodes");
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
     * Maps a broker section: {@code uri}, {@code nodes} (see {@link #nodes(Config, String)}), {@code heartbeat}, {@code connection-timeout}, {@code backoff-initial},
     * {@code backoff-max}, durations in ISO-8601 ({@code PT10S}), and the authors of {@link Authors#create}.
     * Every key is required: its default lives in the service's {@code application.yaml}. A wrong or missing
     * value names its key.
     */
    public static BrokerSettings create(Config section) {
        return new BrokerSettings(text(section, "uri"), nodes(section, "nodes"), duration(section, "heartbeat"),
                duration(section, "connection-timeout"), duration(section, "backoff-initial"),
                duration(section, "backoff-max"), Authors.create(section));
    }

    /**
     * A node list key: {@code host:port[,host:port...]}, blank for none ({@code [::1]:5672} for IPv6). An empty
     * entry, a missing host or a port outside 1-65535 is refused naming the full key and the entry's position;
     * the value itself is never quoted (a URI pasted there by mistake would carry a password).
     */
    public static List<String> nodes(Config section, String key) {
        String text = text(section, key).trim();
        if (text.isEmpty()) {
            return List.of();
        }
        String[] entries = text.split(",", -1);
        List<String> nodes = new ArrayList<>();
        String fullKey = section.get(key).key().toString();
        for (int i = 0; i < entries.length; i++) {
            nodes.add(entries[i].trim());
            address(entries[i].trim(), i, entries.length, fullKey);
        }
        return List.copyOf(nodes);
    }

    /** {@code host:port} as the client's address; what is wrong is said by {@code key} and position only. */
    private static Address address(String entry, int index, int count, String key) {
        String where = "entry " + (index + 1) + " of " + count;
        if (entry == null || entry.isBlank()) {
            throw new ConfigException(key, where + " is empty (host:port[,host:port...] expected)");
        }
        if (entry.contains("@") || entry.contains("/")) {
            throw new ConfigException(key, where + " is not host:port (a URI? the user, password and vhost belong"
                    + " in the URI)");
        }
        int colon = entry.lastIndexOf(':');
        String host = colon < 0 ? "" : entry.substring(0, colon).trim();
        String port = colon < 0 ? "" : entry.substring(colon + 1).trim();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ConfigException(key, where + " is not host:port (an IPv6 address goes in brackets: [::1]:5672)");
        }
        if (colon < 0 || port.isEmpty()) {
            throw new ConfigException(key, where + " has no port (host:port expected)");
        }
        if (host.isBlank()) {
            throw new ConfigException(key, where + " has no host (host:port expected)");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65_535) {
            throw new ConfigException(key, where + " has a port that is not 1-65535");
        }
        return new Address(host, p);
    }

    /** The client's address list of {@link #nodes()}; empty when the URI's host and port are the only node. */
    List<Address> addresses() {
        List<Address> addresses = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            addresses.add(address(nodes.get(i), i, nodes.size(), "nodes"));
        }
        return List.copyOf(addresses);
    }

    /** As the canonical constructor, the URI's host and port the only node. */
    public BrokerSettings(String uri, Duration heartbeat, Duration connectionTimeout, Duration backoffInitial,
                          Duration backoffMax, Authors authors) {
        this(uri, List.of(), heartbeat, connectionTimeout, backoffInitial, backoffMax, authors);
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

    /** The same policy and authors on another broker or vhost (tests): its URI's host and port the only node. */
    public BrokerSettings withUri(String otherUri) {
        return new BrokerSettings(otherUri, List.of(), heartbeat, connectionTimeout, backoffInitial, backoffMax, authors);
    }

    /** The same policy on these nodes ({@code host:port}), the URI's credentials and vhost on each. */
    public BrokerSettings withNodes(List<String> otherNodes) {
        return new BrokerSettings(uri, otherNodes, heartbeat, connectionTimeout, backoffInitial, backoffMax, authors);
    }

    public BrokerSettings withBackoff(Duration initial, Duration max) {
        return new BrokerSettings(uri, nodes, heartbeat, connectionTimeout, initial, max, authors);
    }

    public BrokerSettings withAuthors(Authors newAuthors) {
        return new BrokerSettings(uri, nodes, heartbeat, connectionTimeout, backoffInitial, backoffMax, newAuthors);
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
        return "BrokerSettings[broker=" + (enabled() ? "on" : "off") + ", nodes=" + nodes + ", heartbeat=" + heartbeat
                + ", connectionTimeout=" + connectionTimeout + ", backoff=" + backoffInitial + ".." + backoffMax + "]";
    }
}
