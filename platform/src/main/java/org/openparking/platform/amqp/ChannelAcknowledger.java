package org.openparking.platform.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

final class ChannelAcknowledger implements Acknowledger {
    private static final Logger LOG = Logger.getLogger(ChannelAcknowledger.class.getName());
    private static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

    private final Channel consume;
    private final Channel deadLetters;
    private final String sourceQueue;
    private final IntervalFunction backoff;
    private final Pause pause;
    /** Publishes and waits for confirms on the dead-letter channel one at a time. */
    private final Object deadLetterLock = new Object();
    private int failures;
    private long pending;

    ChannelAcknowledger(Channel consume, Channel deadLetters, String sourceQueue, Duration backoffInitial,
                        Duration backoffMax, Pause pause) throws IOException {
        this.consume = consume;
        this.deadLetters = deadLetters;
        this.sourceQueue = sourceQueue;
        this.backoff = IntervalFunction.ofExponentialBackoff(backoffInitial, 2.0, backoffMax);
        this.pause = pause;
        deadLetters.confirmSelect();
    }

    @Override
    public void ack(long tag) throws IOException {
        consume.basicAck(tag, false);
        failures = 0;
        pending = 0;
    }

    @Override
    public boolean deadLetter(long tag, AMQP.BasicProperties properties, byte[] body, String reason, String detail)
            throws IOException {
        LOG.warning(() -> "dead-lettering message " + oneLine(properties == null ? null : properties.getMessageId())
                + " from " + sourceQueue + ": " + oneLine(reason) + (detail == null ? "" : " (" + oneLine(detail) + ")"));
        try {
            synchronized (deadLetterLock) {
                DeadLetters.publish(deadLetters, sourceQueue, properties, body, reason);
                deadLetters.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            LOG.log(Level.WARNING, "dead-lettering failed; the message is requeued", e);
            consume.basicNack(tag, false, true);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            consume.basicNack(tag, false, true);
            return false;
        }
        consume.basicAck(tag, false);
        return true;
    }

    /** The most characters of one field in the dead-letter log line. */
    static final int LOG_FIELD_MAX = 300;

    /**
     * A field of the log line as one printable line: control characters (a newline in a sender's id or a codec
     * message quoting the body) become spaces, and past {@link #LOG_FIELD_MAX} characters it is clipped.
     */
    static String oneLine(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), LOG_FIELD_MAX + 24));
        for (int i = 0; i < s.length() && b.length() < LOG_FIELD_MAX; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return s.length() > LOG_FIELD_MAX ? b + "... (" + s.length() + " chars)" : b.toString();
    }

    @Override
    public long nextPause() {
        // Capped so the exponent cannot overflow; the interval is capped by backoffMax anyway.
        pending = backoff.apply(Math.min(++failures, 30));
        return pending;
    }

    @Override
    public long requeue(List<Long> tags) throws IOException {
        long wait = pending > 0 ? pending : nextPause();
        pending = 0;
        try {
            pause.pause(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (long tag : tags) {
            consume.basicNack(tag, false, true);
        }
        return wait;
    }
}
