package org.openparking.platform.amqp;

import com.rabbitmq.client.AMQP;
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
        Map<String, Object> headers = new HashMap<>();
        headers.put("edge-id", envelope.edgeId());
        headers.put("seq", envelope.seq());
        headers.put("schema-version", envelope.schemaVersion());
        return new AMQP.BasicProperties.Builder()
                .messageId(envelope.id())
                .type(envelope.type())
                .contentType(CONTENT_TYPE)
                .deliveryMode(2)
                .timestamp(Date.from(envelope.occurredAt()))
                .headers(headers)
                .build();
    }
}
