package org.openparking.platform.amqp;

import com.rabbitmq.client.AMQP;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import org.openparking.protocol.Envelope;

/** AMQP properties for an envelope: message_id = id, persistent, JSON, type and timestamp set. */
public final class AmqpEnvelopes {
    public static final String CONTENT_TYPE = "application/json";

    private AmqpEnvelopes() {
    }

    public static AMQP.BasicProperties properties(Envelope envelope) {
        return properties(envelope.id(), envelope.type(), envelope.schemaVersion(), envelope.edgeId(), envelope.seq(),
                envelope.occurredAt());
    }

    /**
     * {@code properties} with {@code user_id} set to the publishing broker user: RabbitMQ refuses a
     * publish whose {@code user_id} is not the connection's user, so a consumer can trust it as the
     * author (see {@link Authors}). A null user leaves them unchanged.
     */
    public static AMQP.BasicProperties authoredBy(AMQP.BasicProperties properties, String user) {
        return user == null ? properties : properties.builder().userId(user).build();
    }

    /** The same properties from an envelope's stored fields, without decoding its body (an outbox row). */
    public static AMQP.BasicProperties properties(String id, String type, int schemaVersion, String edgeId, long seq,
                                                 Instant at) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("edge-id", edgeId);
        headers.put("seq", seq);
        headers.put("schema-version", schemaVersion);
        return new AMQP.BasicProperties.Builder()
                .messageId(id)
                .type(type)
                .contentType(CONTENT_TYPE)
                .deliveryMode(2)
                .timestamp(Date.from(at))
                .headers(headers)
                .build();
    }
}
