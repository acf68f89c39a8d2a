package org.openparking.testing;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Publishes one hostile body to an AMQP door and waits for it in the dead-letter queue, by its message id:
 * what the AMQP hostile-input tests share. Dead letters of other messages drained on the way are kept for
 * their own wait. The channel is the test's, in confirm mode; its door, queues and header names are the
 * caller's (test-support does not know the topology).
 */
public final class DeadLetterWatch {
    private final Channel channel;
    private final String deadQueue;
    private final String reasonHeader;
    private final Map<String, String> reasons = new ConcurrentHashMap<>();

    /** {@code channel} is put in confirm mode here. */
    public DeadLetterWatch(Channel channel, String deadQueue, String reasonHeader) throws IOException {
        this.channel = channel;
        this.deadQueue = deadQueue;
        this.reasonHeader = reasonHeader;
        channel.confirmSelect();
    }

    /** What one publish ended as: its message id and the dead letter's reason header. */
    public record DeadLetter(String messageId, String reason) {
    }

    /**
     * Publishes {@code body} (persistent, JSON, a fresh message id, as {@code userId}; null: no {@code user_id}),
     * waits for its confirm and then, up to 30 s, for its dead letter; fails when the reason header is missing
     * or blank.
     */
    public DeadLetter publishAndAwait(String exchange, String routingKey, String userId, byte[] body, Object input)
            throws IOException, InterruptedException, TimeoutException {
        String id = "hostile-" + UUID.randomUUID();
        channel.basicPublish(exchange, routingKey, new AMQP.BasicProperties.Builder().messageId(id).userId(userId)
                .deliveryMode(2).contentType("application/json").build(), body);
        channel.waitForConfirmsOrDie(5_000);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (GetResponse r; (r = channel.basicGet(deadQueue, true)) != null; ) {
                Object reason = r.getProps().getHeaders() == null ? null : r.getProps().getHeaders().get(reasonHeader);
                reasons.put(String.valueOf(r.getProps().getMessageId()), String.valueOf(reason));
            }
            return reasons.containsKey(id);
        });
        String reason = reasons.remove(id);
        if (reason.isBlank() || reason.equals("null")) {
            throw new AssertionError(input + ": dead-lettered without a " + reasonHeader + " header, was " + reason);
        }
        return new DeadLetter(id, reason);
    }
}
