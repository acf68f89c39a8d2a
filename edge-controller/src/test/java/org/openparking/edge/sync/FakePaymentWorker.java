package org.openparking.edge.sync;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.ProtocolException;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;

/**
 * A stand-in for the payment worker, on the real broker: consumes {@code payments.requests} and
 * answers by the payment-method token: {@code pm_paid} is charged, {@code pm_declined} is refused, and
 * {@code pm_silent} is kept unanswered until the test calls {@link #answer}.
 */
final class FakePaymentWorker implements AutoCloseable {
    private final Connection connection;
    private final Channel channel;
    private final List<Envelope> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Envelope> silent = new ConcurrentHashMap<>();

    FakePaymentWorker(String uri) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        connection = f.newConnection("fake-payment-worker");
        channel = connection.createChannel();
        channel.confirmSelect();
        Topology.declarePayments(channel);
        channel.exchangeDeclare(Topology.EDGE_EXCHANGE, "direct", true);
        channel.basicConsume(Topology.PAYMENTS_QUEUE, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, com.rabbitmq.client.Envelope env, AMQP.BasicProperties props,
                                       byte[] body) throws IOException {
                try {
                    Envelope request = MessageCodec.decode(body);
                    requests.add(request);
                    PaymentRequested p = (PaymentRequested) request.payload();
                    switch (p.paymentMethod()) {
                        case "pm_paid" -> publish(request, PaymentResult.Outcome.PAID, null);
                        case "pm_declined" -> publish(request, PaymentResult.Outcome.DECLINED, "card_declined");
                        default -> silent.put(p.paymentId(), request);
                    }
                    channel.basicAck(env.getDeliveryTag(), false);
                } catch (ProtocolException | InterruptedException e) {
                    throw new IOException(e);
                }
            }
        });
    }

    /** Payment requests received, in order, duplicates included. */
    List<PaymentRequested> requests() {
        return requests.stream().map(e -> (PaymentRequested) e.payload()).toList();
    }

    /** Answers a request that was kept silent. */
    void answer(String paymentId, PaymentResult.Outcome outcome) throws Exception {
        Envelope request = silent.remove(paymentId);
        if (request == null) {
            throw new IllegalStateException("no silent request " + paymentId);
        }
        publish(request, outcome, outcome == PaymentResult.Outcome.PAID ? null : "card_declined");
    }

    private synchronized void publish(Envelope request, PaymentResult.Outcome outcome, String failure)
            throws IOException, InterruptedException {
        PaymentRequested p = (PaymentRequested) request.payload();
        PaymentResult result = new PaymentResult(p.paymentId(), p.sessionId(), outcome, p.amount(), p.currency(),
                outcome == PaymentResult.Outcome.PAID ? "pi_" + UUID.randomUUID() : null, failure, null,
                p.deferred());
        Envelope envelope = Envelope.of(request.edgeId(), request.lotId(), request.levelId(), request.seq(),
                Instant.now(), result);
        channel.basicPublish(Topology.EDGE_EXCHANGE, request.edgeId(), AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(envelope), "guest"),
                MessageCodec.encode(envelope));
        try {
            channel.waitForConfirmsOrDie(10_000);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        connection.abort();
    }
}
