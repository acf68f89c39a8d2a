package org.openparking.platform.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * How a consumer settles a delivery, the same in every service: {@link #ack} only after the effect
 * committed; {@link #deadLetter} for poison (to {@code parking.dlx} with the reason header, confirmed,
 * then acked); {@link #requeue} for what failed for a transient cause (a pause that doubles while the
 * failures last, then a nack with requeue: a broken disk or a database that is down must not become a
 * tight redelivery loop). One per consumer channel; used from that channel's delivery thread.
 */
public interface Acknowledger {

    /** Waits before a requeue; tests record the pauses instead. */
    @FunctionalInterface
    interface Pause {
        void pause(long millis) throws InterruptedException;
    }

    /**
     * @param consume     the channel the deliveries came on
     * @param deadLetters a channel for dead-letter publishes (put in confirm mode here); may be {@code consume}
     * @param sourceQueue named in the dead letter's {@code x-dead-source-queue} header
     */
    static Acknowledger create(Channel consume, Channel deadLetters, String sourceQueue, Duration backoffInitial,
                               Duration backoffMax, Pause pause) throws IOException {
        return new ChannelAcknowledger(consume, deadLetters, sourceQueue, backoffInitial, backoffMax, pause);
    }

    /** With the usual backoff (100 ms doubling to 5 s) and a real pause. */
    static Acknowledger create(Channel consume, Channel deadLetters, String sourceQueue) throws IOException {
        return create(consume, deadLetters, sourceQueue, Duration.ofMillis(100), Duration.ofSeconds(5), Thread::sleep);
    }

    /** The effect committed: acks, and ends a run of transient failures. */
    void ack(long tag) throws IOException;

    /**
     * Publishes the message to the dead-letter exchange with {@code reason}, waits for the confirm, then
     * acks it. When the dead letter is not confirmed, the original is requeued instead and this returns
     * false: poison is never dropped without a trace.
     */
    default boolean deadLetter(long tag, AMQP.BasicProperties properties, byte[] body, String reason)
            throws IOException {
        return deadLetter(tag, properties, body, reason, null);
    }

    /**
     * As {@link #deadLetter(long, AMQP.BasicProperties, byte[], String)}, with a detail for the log only: the one
     * line this writes per dead letter names the message id, the queue, the reason and the detail, each on one
     * line and clipped, so poison cannot grow the log by more than a bounded line. The caller redacts the detail;
     * the dead letter's {@code x-dead-reason} header stays the bare reason.
     */
    boolean deadLetter(long tag, AMQP.BasicProperties properties, byte[] body, String reason, String detail)
            throws IOException;

    /** Pauses (longer for each failure in a row), then hands the deliveries back; returns the pause in ms. */
    long requeue(List<Long> tags) throws IOException;

    default long requeue(long tag) throws IOException {
        return requeue(List.of(tag));
    }

    /** Counts a failure and returns the pause the next {@link #requeue} takes (to log it before pausing). */
    long nextPause();
}
