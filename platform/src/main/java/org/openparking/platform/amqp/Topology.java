package org.openparking.platform.amqp;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Map;

/**
 * The AMQP names of ARCHITECTURE.md and their idempotent declaration. Whoever needs a piece of
 * the topology declares it at start-up; declaring twice with the same arguments is a no-op.
 */
public final class Topology {
    public static final String EVENTS_EXCHANGE = "parking.events";
    public static final String CLOUD_SYNC_QUEUE = "cloud-sync.events";
    public static final String PAYMENTS_EXCHANGE = "parking.payments";
    public static final String PAYMENTS_ROUTING_KEY = "request";
    public static final String PAYMENTS_QUEUE = "payments.requests";
    /**
     * cloud-sync's refund requests: an exchange of their own, bound to {@link #PAYMENTS_QUEUE}, that no edge
     * may write to (edges write {@link #PAYMENTS_EXCHANGE}, a direct exchange topic permissions cannot narrow).
     */
    public static final String REFUNDS_EXCHANGE = "parking.refunds";
    public static final String REFUNDS_ROUTING_KEY = "refund";
    public static final String EDGE_EXCHANGE = "parking.edge";
    /**
     * The payment worker's results: a topic exchange only the worker may write, bound with {@code #} to
     * {@link #EDGE_EXCHANGE}, which routes each result by its routing key (the edge id) to that edge's queue as
     * before. The worker needs no write on {@code parking.edge} (cloud-sync's commands), so a compromised worker
     * cannot publish a command there: the broker refuses it. A message keeps the exchange it was published to
     * through the binding, so the edge also sees which door a message came through.
     */
    public static final String RESULTS_EXCHANGE = "parking.results";
    public static final String DLX_EXCHANGE = "parking.dlx";
    public static final String DEAD_QUEUE = "parking.dead";
    /** Header a consumer sets when it dead-letters a message itself, naming why. */
    public static final String DEAD_REASON_HEADER = "x-dead-reason";

    private Topology() {
    }

    /** Routing key of an edge event: {@code edge.{lotId}.{levelId}.{type}}. */
    public static String edgeEventKey(String lotId, String levelId, String type) {
        return "edge." + lotId + "." + levelId + "." + type;
    }

    /** Routing key of a payment-worker event on {@code parking.events}: {@code payment.{lotId}.{levelId}.{type}}. */
    public static String paymentEventKey(String lotId, String levelId, String type) {
        return "payment." + lotId + "." + levelId + "." + type;
    }

    /** Queue of one edge: {@code edge.{edgeId}}. */
    public static String edgeQueue(String edgeId) {
        return "edge." + edgeId;
    }

    /** The dead-letter exchange and its queue, which everything else points at. */
    public static void declareDeadLetters(Channel channel) throws IOException {
        channel.exchangeDeclare(DLX_EXCHANGE, "fanout", true);
        channel.queueDeclare(DEAD_QUEUE, true, false, false, quorum(null));
        channel.queueBind(DEAD_QUEUE, DLX_EXCHANGE, "");
    }

    /** What an edge publishes to: events and payment requests. */
    public static void declareEdgePublishing(Channel channel) throws IOException {
        channel.exchangeDeclare(EVENTS_EXCHANGE, "topic", true);
        declarePayments(channel);
    }

    /** An edge's own command queue, bound on {@code parking.edge} with its edge id. */
    public static void declareEdgeQueue(Channel channel, String edgeId) throws IOException {
        declareDeadLetters(channel);
        channel.exchangeDeclare(EDGE_EXCHANGE, "direct", true);
        channel.queueDeclare(edgeQueue(edgeId), true, false, false, quorum(DLX_EXCHANGE));
        channel.queueBind(edgeQueue(edgeId), EDGE_EXCHANGE, edgeId);
    }

    /**
     * The results exchange and its binding to {@link #EDGE_EXCHANGE} (declaring it needs configure on
     * {@code parking.results}, read on it and write on {@code parking.edge}: the rabbitmq role does it as admin).
     */
    public static void declareResults(Channel channel) throws IOException {
        channel.exchangeDeclare(EDGE_EXCHANGE, "direct", true);
        channel.exchangeDeclare(RESULTS_EXCHANGE, "topic", true);
        channel.exchangeBind(EDGE_EXCHANGE, RESULTS_EXCHANGE, "#");
    }

    /** cloud-sync's queue of every edge and payment event. */
    public static void declareCloudSync(Channel channel) throws IOException {
        declareDeadLetters(channel);
        channel.exchangeDeclare(EVENTS_EXCHANGE, "topic", true);
        channel.exchangeDeclare(EDGE_EXCHANGE, "direct", true);
        channel.queueDeclare(CLOUD_SYNC_QUEUE, true, false, false, quorum(DLX_EXCHANGE));
        channel.queueBind(CLOUD_SYNC_QUEUE, EVENTS_EXCHANGE, "edge.#");
        channel.queueBind(CLOUD_SYNC_QUEUE, EVENTS_EXCHANGE, "payment.#");
    }

    /** The payment request exchange and queue. */
    public static void declarePayments(Channel channel) throws IOException {
        declareDeadLetters(channel);
        channel.exchangeDeclare(PAYMENTS_EXCHANGE, "direct", true);
        channel.queueDeclare(PAYMENTS_QUEUE, true, false, false, quorum(DLX_EXCHANGE));
        channel.queueBind(PAYMENTS_QUEUE, PAYMENTS_EXCHANGE, PAYMENTS_ROUTING_KEY);
    }

    /**
     * The refund request exchange of cloud-sync, bound to the payment queue, which must exist (the worker, an
     * edge or the rabbitmq role declares it): declaring that queue, which has a dead-letter exchange, needs
     * read permission on it, and cloud-sync must not read payment requests (they carry payment tokens).
     */
    public static void declareRefunds(Channel channel) throws IOException {
        channel.exchangeDeclare(REFUNDS_EXCHANGE, "direct", true);
        channel.queueBind(PAYMENTS_QUEUE, REFUNDS_EXCHANGE, REFUNDS_ROUTING_KEY);
    }

    /**
     * Whether a declaration failed because the broker refused it (403 ACCESS_REFUSED): where the Ansible
     * rabbitmq role owns the topology, a service may configure nothing shared and checks passively instead.
     */
    public static boolean accessRefused(IOException e) {
        return e.getCause() instanceof com.rabbitmq.client.ShutdownSignalException sse
                && sse.getReason() instanceof com.rabbitmq.client.AMQP.Channel.Close close
                && close.getReplyCode() == 403;
    }

    /** Arguments of a durable quorum queue, dead-lettering to {@code dlx} when given. */
    public static Map<String, Object> quorum(String dlx) {
        return dlx == null
                ? Map.of("x-queue-type", "quorum")
                : Map.of("x-queue-type", "quorum", "x-dead-letter-exchange", dlx);
    }
}
