package org.openparking.cloud.amqp;

import com.rabbitmq.client.AMQP;

/**
 * One message to publish. {@code edgeQueue} names an edge whose queue is declared before the
 * publish (so a command for an offline edge waits in its queue); null for none.
 */
public record Outgoing(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body,
                       String edgeQueue) {
    public Outgoing {
        if (exchange == null || routingKey == null || properties == null || body == null) {
            throw new IllegalArgumentException("exchange, routingKey, properties and body are required");
        }
    }
}
