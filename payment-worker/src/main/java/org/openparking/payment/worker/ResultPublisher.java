package org.openparking.payment.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.DeadLetters;
import org.openparking.platform.amqp.Topology;

/**
 * Publishes results on one confirm-mode channel: to {@code parking.edge} (routing key = edge id;
 * the edge's quorum queue is declared so a result waits there while the edge is offline) and to
 * {@code parking.events}. Returns only after the broker confirmed both. Not thread-safe: one per
 * consumer, or synchronized by the caller.
 */
public final class ResultPublisher {
    private final Channel channel;
    private final Duration confirmTimeout;
    private final Set<String> declaredEdges = new HashSet<>();

    public ResultPublisher(Channel channel, Duration confirmTimeout) throws IOException {
        this.channel = channel;
        this.confirmTimeout = confirmTimeout;
        channel.confirmSelect();
        channel.exchangeDeclare(Topology.EVENTS_EXCHANGE, "topic", true);
    }

    public void publish(Envelope result) throws IOException, InterruptedException, TimeoutException {
        if (declaredEdges.add(result.edgeId())) {
            Topology.declareEdgeQueue(channel, result.edgeId());
        }
        AMQP.BasicProperties props = AmqpEnvelopes.properties(result);
        byte[] body = MessageCodec.encode(result);
        channel.basicPublish(Topology.EDGE_EXCHANGE, result.edgeId(), props, body);
        channel.basicPublish(Topology.EVENTS_EXCHANGE,
                Topology.paymentEventKey(result.lotId(), result.levelId(), result.type()), props, body);
        channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
    }

    /** Dead-letters a request with a reason; the body is redacted of anything like a card number. */
    public void deadLetter(AMQP.BasicProperties original, byte[] body, String reason)
            throws IOException, InterruptedException, TimeoutException {
        DeadLetters.publish(channel, Topology.PAYMENTS_QUEUE, original, CardNumbers.redact(body), reason);
        channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
    }
}
