package org.openparking.platform.amqp;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Many publishes in flight on one confirm-mode channel, each under a key of the caller's (an outbox
 * row's seq): the broker's confirms, nacks and unroutable returns are collected on the client's thread
 * and handed over by {@link #settle} on the caller's, so only the caller touches its database. A
 * message counts as delivered only when the broker confirmed it and did not return it as unroutable.
 * After the channel was lost nothing more is accepted or settled until the caller {@link #abandon}ed
 * what was in flight: a confirm of the recovered channel can never settle a publish of the lost one.
 */
public interface ConfirmWindow {

    /** Puts {@code channel} in confirm mode; {@code wake} is run whenever an outcome arrived. */
    static ConfirmWindow on(Channel channel, String user, Runnable wake) throws IOException {
        return new ChannelConfirmWindow(channel, user, wake);
    }

    /** A publish the broker confirmed; {@code publishedNanos} from {@link System#nanoTime()}. */
    record Confirmed(long key, long publishedNanos) {
    }

    /** A publish that did not get through, and why. */
    record Failed(long key, String reason) {
    }

    /** What {@link #settle} found. */
    record Outcomes(List<Confirmed> confirmed, List<Failed> failed) {
        public boolean isEmpty() {
            return confirmed.isEmpty() && failed.isEmpty();
        }

        public int size() {
            return confirmed.size() + failed.size();
        }
    }

    /**
     * Publishes {@code message} as mandatory (a message no queue receives comes back and fails) under
     * {@code key}; the key must be carried in the message's {@code seq} header. Every key published is
     * reported exactly once by {@link #settle} or {@link #abandon}, also when this throws.
     */
    void publish(long key, Outgoing message) throws IOException;

    /** Publishes outside the window: nothing waits for its confirm (a status snapshot the next one replaces). */
    void publishUntracked(Outgoing message) throws IOException;

    /** Publishes awaiting their outcome. */
    int outstanding();

    /** The outcomes that arrived, plus a failure for every publish not confirmed within {@code timeout}. */
    Outcomes settle(Duration timeout);

    /**
     * The channel was lost (or is being replaced): everything in flight fails with {@code why}, except
     * what had been confirmed already. The window accepts publishes again afterwards.
     */
    Outcomes abandon(String why);

    /** True once the channel went down and {@link #abandon} was not called since. */
    boolean lost();
}
