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
 * <p>
 * The dead letter goes out as the consumer's own publish: the original's {@code user_id} is moved to the
 * {@value #ORIGINAL_USER_HEADER} header, since RabbitMQ refuses (and closes the channel on) a publish whose
 * {@code user_id} is not the publishing connection's user. Dead-lettering can thus never fail because of
 * the message being dead-lettered.
 */
public final class DeadLetters {
    /** The AMQP {@code user_id} the dead-lettered message was published with. */
    public static final String ORIGINAL_USER_HEADER = "x-original-user-id";

    private DeadLetters() {
    }

    public static void publish(Channel channel, String sourceQueue, AMQP.BasicProperties original, byte[] body,
                               String reason) throws IOException {
        Map<String, Object> headers = new HashMap<>();
        if (original != null && original.getHeaders() != null) {
            headers.putAll(original.getHeaders());
        }
        if (original != null && original.getUserId() != null) {
            headers.put(ORIGINAL_USER_HEADER, original.getUserId());
        }
        headers.put(Topology.DEAD_REASON_HEADER, reason);
        headers.put("x-dead-source-queue", sourceQueue);
        AMQP.BasicProperties.Builder props = original == null
                ? new AMQP.BasicProperties.Builder()
                : original.builder();
        channel.basicPublish(Topology.DLX_EXCHANGE, "", props.userId(null).headers(headers).deliveryMode(2).build(),
                body);
    }
}
