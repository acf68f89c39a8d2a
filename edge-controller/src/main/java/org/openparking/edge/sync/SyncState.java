package org.openparking.edge.sync;

import java.time.Clock;
import java.time.Instant;
import java.util.logging.Logger;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.platform.jdbc.Database;
import org.openparking.platform.outbox.OutboxStore;

/**
 * The edge's view of its cloud link, and the {@link PaymentLink} the exits consult: OFFLINE_ONLY when no
 * cloud is configured, CLOUD_DOWN while a configured broker is not connected, PAYMENTS_DOWN from a payment wait that timed
 * out until a result arrives again, ONLINE otherwise. Written by the relay and the queue consumer, read
 * by lanes; every field is a volatile, so reading it never waits.
 */
public final class SyncState implements PaymentLink {
    private static final Logger LOG = Logger.getLogger(SyncState.class.getName());

    private final Database db;
    private final Clock clock;
    private final boolean cloudConfigured;
    private final OutboxStore outbox = OutboxStore.sqlite();
    private volatile boolean connected;
    private volatile boolean paymentsDown;
    private volatile Instant lastConfirmedAt;
    private volatile String lastError;

    public SyncState(Database db, Clock clock, boolean cloudConfigured) {
        this.db = db;
        this.clock = clock;
        this.cloudConfigured = cloudConfigured;
    }

    @Override
    public State state() {
        if (!cloudConfigured) {
            return State.OFFLINE_ONLY;
        }
        if (!connected) {
            return State.CLOUD_DOWN;
        }
        return paymentsDown ? State.PAYMENTS_DOWN : State.ONLINE;
    }

    @Override
    public void paymentTimedOut() {
        if (!paymentsDown) {
            LOG.warning("a payment result did not arrive in time: payments are considered down");
        }
        paymentsDown = true;
    }

    @Override
    public void paymentAnswered() {
        if (paymentsDown) {
            LOG.info("a payment result arrived: payments are up again");
        }
        paymentsDown = false;
    }

    void connected(boolean up) {
        connected = up;
    }

    boolean connected() {
        return connected;
    }

    void confirmed(Instant at) {
        lastConfirmedAt = at;
    }

    void error(String message) {
        lastError = message;
    }

    /** A snapshot of state and backlog, read from the outbox. */
    public SyncStatus status() {
        Instant now = clock.instant();
        OutboxStore.Backlog b = db.read(outbox::backlog);
        return new SyncStatus(state(), b.pending(), b.oldestAgeSeconds(now), lastConfirmedAt,
                cloudConfigured && connected, b.maxAttempts(), lastError);
    }

    /** Rows not yet confirmed, for the metrics gauge. */
    long pending() {
        return db.read(outbox::pending);
    }
}
