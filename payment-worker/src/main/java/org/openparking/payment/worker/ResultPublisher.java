package org.openparking.payment.worker;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.openparking.protocol.CardNumbers;
import java.util.concurrent.ConcurrentHashMap;
import org.openparking.platform.amqp.ConfirmingPublisher;
import org.openparking.platform.amqp.Outgoing;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;

/**
 * Publishes results with confirms: to {@code parking.results} (routing key = edge id), which the broker binds
 * to {@code parking.edge} so the result lands in the edge's quorum queue as a command would (declared here so
 * it waits while the edge is offline), and to {@code parking.events}. The worker writes nothing on
 * {@code parking.edge} itself: under the rabbitmq role it may not. Returns only after the broker confirmed
 * both. Where the broker owns the topology ({@code declares} false), the exchanges, their binding and the edge
 * queues are the rabbitmq role's and nothing is declared.
 */
final class ResultPublisher {
    private final ConfirmingPublisher publisher;
    private final boolean declares;
    private final Set<String> declaredEdges = ConcurrentHashMap.newKeySet();

    ResultPublisher(ConfirmingPublisher publisher, boolean declares) throws IOException {
        this.publisher = publisher;
        this.declares = declares;
        if (declares) {
            publisher.declare(ch -> {
                ch.exchangeDeclare(Topology.EVENTS_EXCHANGE, "topic", true);
                Topology.declareResults(ch);
            });
        }
    }

    void publish(Envelope result) throws IOException {
        String edgeId = result.edgeId();
        ConfirmingPublisher.Declaration declare = !declares || declaredEdges.contains(edgeId) ? null
                : ch -> Topology.declareEdgeQueue(ch, edgeId);
        publisher.publish(declare, List.of(
                Outgoing.of(Topology.RESULTS_EXCHANGE, edgeId, result),
                Outgoing.of(Topology.EVENTS_EXCHANGE,
                        Topology.paymentEventKey(result.lotId(), result.levelId(), result.type()), result)));
        declaredEdges.add(edgeId);
    }
}
