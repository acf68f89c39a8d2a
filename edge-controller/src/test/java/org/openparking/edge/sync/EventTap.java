package org.openparking.edge.sync;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.MessageType;
import org.openparking.protocol.ProtocolException;
import org.openparking.protocol.SessionOpened;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.AvailabilityChanged;

/**
 * What the cloud would see: a queue bound to every edge event (and one on payment requests), counting
 * deliveries by message id and keeping the seq order of first arrivals.
 */
final class EventTap implements AutoCloseable {
    private final Connection connection;
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final List<Long> seqs = new ArrayList<>();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final AtomicInteger statuses = new AtomicInteger();
    private final Set<String> openedSessions = ConcurrentHashMap.newKeySet();
    private final List<AvailabilityChanged> availability = new java.util.concurrent.CopyOnWriteArrayList<>();

    EventTap(String uri) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        connection = f.newConnection("event-tap");
        Channel ch = connection.createChannel();
        Topology.declareEdgePublishing(ch);
        String events = ch.queueDeclare().getQueue();
        ch.queueBind(events, Topology.EVENTS_EXCHANGE, "edge.#");
        String payments = ch.queueDeclare().getQueue();
        ch.queueBind(payments, Topology.PAYMENTS_EXCHANGE, Topology.PAYMENTS_ROUTING_KEY);
        ch.basicQos(500);
        DefaultConsumer consumer = new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                    throws IOException {
                if (MessageType.EDGE_STATUS.equals(props.getType())) {
                    // The relay's health snapshots are outside the event sequence: count them apart.
                    statuses.incrementAndGet();
                    ch.basicAck(env.getDeliveryTag(), false);
                    return;
                }
                deliveries.incrementAndGet();
                if (MessageType.SESSION_OPENED.equals(props.getType())) {
                    try {
                        openedSessions.add(((SessionOpened) MessageCodec.decode(body).payload()).sessionId());
                    } catch (ProtocolException e) {
                        throw new IOException(e);
                    }
                }
                if (MessageType.AVAILABILITY_CHANGED.equals(props.getType())) {
                    try {
                        availability.add((AvailabilityChanged) MessageCodec.decode(body).payload());
                    } catch (ProtocolException e) {
                        throw new IOException(e);
                    }
                }
                if (seen.computeIfAbsent(props.getMessageId(), k -> new AtomicInteger()).incrementAndGet() == 1) {
                    synchronized (seqs) {
                        seqs.add(((Number) props.getHeaders().get("seq")).longValue());
                    }
                }
                ch.basicAck(env.getDeliveryTag(), false);
            }
        };
        ch.basicConsume(events, false, consumer);
        ch.basicConsume(payments, false, consumer);
    }

    /** edge.status snapshots seen. */
    int statuses() {
        return statuses.get();
    }

    /** Every availability.changed seen, in arrival order. */
    List<AvailabilityChanged> availability() {
        return List.copyOf(availability);
    }

    /** Session ids of every session.opened seen. */
    Set<String> openedSessions() {
        return Set.copyOf(openedSessions);
    }

    int distinct() {
        return seen.size();
    }

    int deliveries() {
        return deliveries.get();
    }

    int timesSeen(String messageId) {
        AtomicInteger n = seen.get(messageId);
        return n == null ? 0 : n.get();
    }

    /** Seqs in the order their messages first arrived. */
    List<Long> firstArrivalSeqs() {
        synchronized (seqs) {
            return List.copyOf(seqs);
        }
    }

    @Override
    public void close() throws IOException {
        connection.abort();
    }
}
