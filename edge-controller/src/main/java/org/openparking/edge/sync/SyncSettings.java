package org.openparking.edge.sync;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;
import static org.openparking.platform.config.ConfigValues.text;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.openparking.platform.config.ParkingConfig;
import org.openparking.platform.amqp.Authors;
import org.openparking.platform.amqp.BrokerSettings;

/**
 * How the edge talks to the cloud broker. {@code amqpUri} empty means offline only.
 *
 * @param amqpNodes        {@code cloud.amqp-nodes}: the broker cluster's nodes as {@code host:port}, tried on every
 *                         connect and recovery (empty: the URI's host and port); see {@link BrokerSettings#nodes}
 * @param heartbeat        AMQP heartbeat requested; a dead link is noticed after about two missed beats
 * @param maxInFlight      published rows awaiting a confirm at most
 * @param batchSize        rows read from SQLite per query
 * @param confirmTimeout   a publish not confirmed within this is sent again
 * @param backoffInitial   first reconnect delay, doubled per failure up to {@code backoffMax}
 * @param retention        sent rows older than this are pruned; unsent rows never are
 * @param pruneInterval    how often pruning runs
 * @param prefetch         unacknowledged deliveries of the edge's queue at most
 * @param connectionTimeout TCP connect and AMQP handshake, per attempt
 * @param authors          whose commands and payment results the edge applies ({@code cloud.cloud-sync-user},
 *                         {@code cloud.worker-user}, {@code cloud.trusted-users})
 * @param remoteOpenMaxAge a barrier-open command issued longer ago than this is refused, not obeyed (one queued
 *                         during an outage must not lift a barrier hours later)
 */
public record SyncSettings(String amqpUri, List<String> amqpNodes, Duration heartbeat, int maxInFlight, int batchSize,
                           Duration confirmTimeout, Duration backoffInitial, Duration backoffMax,
                           Duration retention, Duration pruneInterval, int prefetch, Duration connectionTimeout,
                           Authors authors, Duration remoteOpenMaxAge) {

    public SyncSettings {
        amqpUri = amqpUri == null ? "" : amqpUri.trim();
        amqpNodes = amqpNodes == null ? List.of() : List.copyOf(amqpNodes);
        if (!amqpNodes.isEmpty() && amqpUri.isBlank()) {
            throw new IllegalArgumentException("cloud.amqp-nodes is set but cloud.amqp-uri is empty: the URI gives"
                    + " the user, password and vhost");
        }
        requirePositive(heartbeat, "cloud.heartbeat");
        if (heartbeat.toSeconds() > 10 || heartbeat.toSeconds() < 1) {
            // Two missed beats must fit in the 30 s within which a dead link has to be noticed.
            throw new IllegalArgumentException("cloud.heartbeat must be 1-10 seconds, was " + heartbeat);
        }
        if (maxInFlight < 1 || batchSize < 1 || prefetch < 1) {
            throw new IllegalArgumentException("cloud.max-in-flight, cloud.batch-size and cloud.prefetch must be"
                    + " positive");
        }
        requirePositive(confirmTimeout, "cloud.confirm-timeout");
        requirePositive(backoffInitial, "cloud.backoff-initial");
        requirePositive(backoffMax, "cloud.backoff-max");
        requirePositive(retention, "cloud.retention");
        requirePositive(pruneInterval, "cloud.prune-interval");
        requirePositive(connectionTimeout, "cloud.connection-timeout");
        requirePositive(remoteOpenMaxAge, "cloud.remote-open-max-age");
    }

    /** The defaults of application.yaml, linked to {@code amqpUri} (tests and embedded edges). */
    public static SyncSettings defaults(String amqpUri) {
        SyncSettings d = create(ParkingConfig.defaults().get("cloud"));
        return new SyncSettings(amqpUri, List.of(), d.heartbeat, d.maxInFlight, d.batchSize, d.confirmTimeout, d.backoffInitial,
                d.backoffMax, d.retention, d.pruneInterval, d.prefetch, d.connectionTimeout, d.authors,
                d.remoteOpenMaxAge);
    }

    /** The {@code cloud} section. */
    public static SyncSettings create(Config cloud) {
        return new SyncSettings(text(cloud, "amqp-uri"), BrokerSettings.nodes(cloud, "amqp-nodes"), duration(cloud, "heartbeat"), integer(cloud, "max-in-flight"),
                integer(cloud, "batch-size"), duration(cloud, "confirm-timeout"), duration(cloud, "backoff-initial"),
                duration(cloud, "backoff-max"), duration(cloud, "retention"), duration(cloud, "prune-interval"),
                integer(cloud, "prefetch"), duration(cloud, "connection-timeout"), Authors.create(cloud),
                duration(cloud, "remote-open-max-age"));
    }

    /** The broker connection policy (platform.amqp), from this section's URI, heartbeat and backoff. */
    public BrokerSettings broker() {
        return new BrokerSettings(amqpUri, amqpNodes, heartbeat, connectionTimeout, backoffInitial, backoffMax, authors);
    }

    public boolean enabled() {
        return !amqpUri.isBlank();
    }

    public SyncSettings withBackoff(Duration initial, Duration max) {
        return new SyncSettings(amqpUri, amqpNodes, heartbeat, maxInFlight, batchSize, confirmTimeout, initial, max, retention,
                pruneInterval, prefetch, connectionTimeout, authors, remoteOpenMaxAge);
    }

    public SyncSettings withConfirmTimeout(Duration timeout) {
        return new SyncSettings(amqpUri, amqpNodes, heartbeat, maxInFlight, batchSize, timeout, backoffInitial, backoffMax,
                retention, pruneInterval, prefetch, connectionTimeout, authors, remoteOpenMaxAge);
    }

    public SyncSettings withRetention(Duration retention, Duration pruneInterval) {
        return new SyncSettings(amqpUri, amqpNodes, heartbeat, maxInFlight, batchSize, confirmTimeout, backoffInitial,
                backoffMax, retention, pruneInterval, prefetch, connectionTimeout, authors, remoteOpenMaxAge);
    }

    public SyncSettings withAuthors(Authors newAuthors) {
        return new SyncSettings(amqpUri, amqpNodes, heartbeat, maxInFlight, batchSize, confirmTimeout, backoffInitial,
                backoffMax, retention, pruneInterval, prefetch, connectionTimeout, newAuthors, remoteOpenMaxAge);
    }

    private static void requirePositive(Duration d, String key) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + d);
        }
    }

    @Override
    public String toString() {
        // The URI may carry a password.
        return "SyncSettings[cloud=" + (enabled() ? "on" : "off") + ", heartbeat=" + heartbeat + ", maxInFlight="
                + maxInFlight + ", confirmTimeout=" + confirmTimeout + ", retention=" + retention + "]";
    }
}
