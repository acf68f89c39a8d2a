package org.openparking.payment.worker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.openparking.payment.store.PaymentRecord;
import org.openparking.payment.store.PaymentStore;
import org.openparking.protocol.CardNumbers;
import org.openparking.protocol.Envelope;

/**
 * Settles PENDING payments (Stripe answered {@code processing}) when no webhook does: every
 * {@code interval} it asks Stripe about those untouched for {@code age} and publishes the ones that
 * became final. A safety net; webhooks are the fast path.
 */
public final class PendingSweeper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PendingSweeper.class.getName());

    /** Where settled results go. */
    @FunctionalInterface
    public interface Sink {
        void publish(Envelope result) throws Exception;
    }

    private final PaymentStore store;
    private final PaymentProcessor processor;
    private final Sink sink;
    private final Duration age;
    private final ScheduledExecutorService timer;

    public PendingSweeper(PaymentStore store, PaymentProcessor processor, Sink sink, Duration interval,
                          Duration age) {
        this.store = store;
        this.processor = processor;
        this.sink = sink;
        this.age = age;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pending-sweeper");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void sweep() {
        try {
            for (PaymentRecord pending : store.pendingOlderThan(age, 100)) {
                processor.settlePending(pending, sink);
            }
        } catch (Exception e) {
            // The next round tries again: nothing was committed that was not published.
            LOG.warning("pending sweep stopped early: " + CardNumbers.redact(String.valueOf(e.getMessage())));
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
