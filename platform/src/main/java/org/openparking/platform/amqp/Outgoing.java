package org.openparking.platform.amqp;

import com.rabbitmq.client.AMQP;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;

/** One message to publish: where to, its AMQP properties and its body. */
public record Outgoing(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {
    public Outgoing {
        if (exchange == null || routingKey == null || properties == null || body == null) {
            throw new IllegalArgumentException("exchange, routingKey, properties and body are required");
        }
    }

    /** An envelope with the properties of {@link AmqpEnvelopes#properties}. */
    public static Outgoing of(String exchange, String routingKey, Envelope envelope) {
        return new Outgoing(exchange, routingKey, AmqpEnvelopes.properties(envelope), MessageCodec.encode(envelope));
    }
}
