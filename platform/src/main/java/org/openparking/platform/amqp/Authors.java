package org.openparking.platform.amqp;

import io.helidon.config.Config;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.RefundRequested;
import org.openparking.protocol.RefundResult;

/**
 * Who wrote a delivery (ARCHITECTURE.md, trust model): the broker user that published it, as the AMQP
 * {@code user_id} RabbitMQ validated, never a field of the body. The one check every consumer applies:
 * <ul>
 *   <li>an edge ({@code edge-{lotId}-{levelId}}) speaks only for itself: the envelope's lot, level and
 *       edge id, and an {@code edge.*} routing key, must be its own, and it writes only events;</li>
 *   <li>payment and refund results come only from the payment worker's user;</li>
 *   <li>commands and refund requests come only from cloud-sync's user;</li>
 *   <li>a user of {@code trusted-users} speaks for anyone (development, where everything runs as
 *       {@code guest}; empty in production).</li>
 * </ul>
 */
public final class Authors {

    /** What a delivery's author is. */
    public enum Role { EDGE, CLOUD_SYNC, WORKER, TRUSTED }

    /** The author of an accepted delivery. */
    public record Author(Role role, String user) {
    }

    /** Why a delivery was refused; {@link #getMessage()} starts with the reason code (the dead-letter reason). */
    public static final class Refused extends Exception {
        /** The codes of the dead-letter reason header. */
        public enum Reason { MISSING_AUTHOR, WRONG_AUTHOR, FOREIGN_EDGE }

        private final Reason reason;

        Refused(Reason reason, String detail) {
            super(reason + ": " + detail, null, false, false);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private final String cloudSyncUser;
    private final String workerUser;
    private final Set<String> trustedUsers;

    /**
     * @param cloudSyncUser the broker user of cloud-sync (blank: none is known here)
     * @param workerUser    the broker user of the payment worker (blank: none is known here)
     * @param trustedUsers  users that speak for anyone
     */
    public Authors(String cloudSyncUser, String workerUser, Set<String> trustedUsers) {
        this.cloudSyncUser = blankToNull(cloudSyncUser);
        this.workerUser = blankToNull(workerUser);
        this.trustedUsers = Set.copyOf(Objects.requireNonNull(trustedUsers, "trustedUsers"));
    }

    /**
     * From a service's broker section: {@code trusted-users} (comma-separated, may be empty) and, where the
     * service receives their messages, {@code cloud-sync-user} and {@code worker-user}. A key that is absent
     * trusts nobody (the defaults are in each service's {@code application.yaml}).
     */
    public static Authors create(Config section) {
        return new Authors(optional(section, "cloud-sync-user"), optional(section, "worker-user"),
                users(section.get("trusted-users").asString().orElse("")));
    }

    /** The broker user of an edge, as the rabbitmq role names it. */
    public static String edgeUser(String lotId, String levelId) {
        return "edge-" + lotId + "-" + levelId;
    }

    /**
     * The author of a delivery, or why it may not have written it.
     *
     * @param userId     the delivery's AMQP {@code user_id} (null when the publisher did not set it)
     * @param routingKey the key it was published with
     */
    public Author check(String userId, Envelope envelope, String routingKey) throws Refused {
        if (userId == null || userId.isBlank()) {
            throw new Refused(Refused.Reason.MISSING_AUTHOR, envelope.type() + " " + envelope.id()
                    + " carries no AMQP user_id");
        }
        if (trustedUsers.contains(userId)) {
            return new Author(Role.TRUSTED, userId);
        }
        Message payload = envelope.payload();
        if (payload instanceof PaymentResult || payload instanceof RefundResult) {
            return only(Role.WORKER, workerUser, userId, envelope);
        }
        if (payload instanceof RefundRequested || payload instanceof Message.Command) {
            return only(Role.CLOUD_SYNC, cloudSyncUser, userId, envelope);
        }
        String lot = envelope.lotId();
        String level = envelope.levelId();
        if (!userId.equals(edgeUser(lot, level))) {
            throw new Refused(userId.startsWith("edge-") ? Refused.Reason.FOREIGN_EDGE : Refused.Reason.WRONG_AUTHOR,
                    "user " + userId + " may not publish " + envelope.type() + " for lot " + lot + " level " + level);
        }
        if (!envelope.edgeId().equals(Envelope.edgeId(lot, level))) {
            throw new Refused(Refused.Reason.FOREIGN_EDGE, "user " + userId + " may not publish for edge "
                    + envelope.edgeId());
        }
        boolean ownKey = routingKey != null && routingKey.startsWith("edge." + lot + "." + level + ".");
        boolean paymentRequest = payload instanceof PaymentRequested && Topology.PAYMENTS_ROUTING_KEY.equals(routingKey);
        if (!ownKey && !paymentRequest) {
            throw new Refused(Refused.Reason.FOREIGN_EDGE, "user " + userId + " may not publish "
                    + envelope.type() + " with routing key " + routingKey);
        }
        return new Author(Role.EDGE, userId);
    }

    private static Author only(Role role, String expected, String userId, Envelope envelope) throws Refused {
        if (expected == null || !expected.equals(userId)) {
            throw new Refused(Refused.Reason.WRONG_AUTHOR, "user " + userId + " may not publish " + envelope.type()
                    + " (only the " + role.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " user may)");
        }
        return new Author(role, userId);
    }

    private static String optional(Config section, String key) {
        return section.get(key).asString().orElse(null);
    }

    static Set<String> users(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        return "Authors[cloudSync=" + cloudSyncUser + ", worker=" + workerUser + ", trusted=" + trustedUsers + "]";
    }
}
