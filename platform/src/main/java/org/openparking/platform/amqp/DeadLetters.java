package org.openparking.platform.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Dead-letters a message a consumer cannot process, with the reason in a header. Publishing it
 * ourselves (instead of a bare reject) is what lets an operator read why in {@code parking.dead}.
 * The caller acks the original only after this publish was confirmed.
 */
public final class DeadLetters {
    private DeadLetters() {
    }

    public static void publish(Channel channel, String sourceQueue, AMQP.BasicProperties original, byte[] body,
                               String reason) throws IOException {
        Map<String, Object> headers = new HashMap<>();
        if (original != null && original.getHeaders() != null) {
            headers.putAll(original.getHeaders());
        }
        headers.put(Topology.DEAD_REASON_HEADER, reason);
        headers.put("x-dead-source-queue", sourceQueue);
        AMQP.BasicProperties.Builder props = original == null
                ? new AMQP.BasicProperties.Builder()
                : original.builder();
        channel.basicPublish(Topology.DLX_EXCHANGE, "", props.headers(headers).deliveryMode(2).build(), body);
    }
}
