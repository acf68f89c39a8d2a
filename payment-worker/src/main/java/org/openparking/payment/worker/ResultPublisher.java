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
 * Publishes results with confirms: to {@code parking.edge} (routing key = edge id; the edge's quorum
 * queue is declared so a result waits there while the edge is offline) and to {@code parking.events}.
 * Returns only after the broker confirmed both.
 */
final class ResultPublisher {
    private final ConfirmingPublisher publisher;
    private final Set<String> declaredEdges = ConcurrentHashMap.newKeySet();

    ResultPublisher(ConfirmingPublisher publisher) throws IOException {
        this.publisher = publisher;
        publisher.declare(ch -> ch.exchangeDeclare(Topology.EVENTS_EXCHANGE, "topic", true));
    }

    void publish(Envelope result) throws IOException {
        String edgeId = result.edgeId();
        ConfirmingPublisher.Declaration declare = declaredEdges.contains(edgeId) ? null
                : ch -> Topology.declareEdgeQueue(ch, edgeId);
        publisher.publish(declare, List.of(
                Outgoing.of(Topology.EDGE_EXCHANGE, edgeId, result),
                Outgoing.of(Topology.EVENTS_EXCHANGE,
                        Topology.paymentEventKey(result.lotId(), result.levelId(), result.type()), result)));
        declaredEdges.add(edgeId);
    }
}
