package org.openparking.edge.sync;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.platform.amqp.BrokerLink;
import org.openparking.platform.amqp.ConfirmingPublisher;
import org.openparking.platform.amqp.Outgoing;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.EdgeStatus;
import org.openparking.protocol.Envelope;

/**
 * Publishes an {@code edge.status} snapshot every three heartbeats while connected, outside the outbox
 * (a snapshot needs no durability: the next one replaces it) and outside the event sequence (seq 0).
 */
final class StatusHeartbeat implements LinkUser, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StatusHeartbeat.class.getName());
    /** The jar's version (manifest), or "dev" when run from classes. */
    private static final String SOFTWARE_VERSION = Optional.ofNullable(
            StatusHeartbeat.class.getPackage().getImplementationVersion()).orElse("dev");

    private final String edgeId;
    private final SyncState state;
    private final Clock clock;
    private final Duration every;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("edge-status").daemon(true).factory());
    private volatile BrokerLink link;
    private ConfirmingPublisher publisher;

    StatusHeartbeat(String edgeId, SyncState state, Clock clock, Duration heartbeat) {
        this.edgeId = edgeId;
        this.state = state;
        this.clock = clock;
        this.every = heartbeat.multipliedBy(3);
    }

    @Override
    public synchronized void attach(BrokerLink l) {
        if (link == null) {
            scheduler.scheduleWithFixedDelay(this::publishQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        } else if (publisher != null) {
            publisher.close();
        }
        link = l;
        publisher = l.publisher(Duration.ofSeconds(10));
    }

    @Override
    public boolean healthy() {
        return true; // its publisher replaces a closed channel by itself
    }

    private void publishQuietly() {
        BrokerLink l = link;
        if (l == null || !l.isUp()) {
            return;
        }
        try {
            SyncStatus s = state.status();
            int dot = edgeId.indexOf('.');
            Envelope envelope = Envelope.of(edgeId, edgeId.substring(0, dot), edgeId.substring(dot + 1), 0,
                    clock.instant(), new EdgeStatus(SOFTWARE_VERSION, s.state().name(), s.outboxPending(),
                            s.oldestPendingAgeSeconds()));
            ConfirmingPublisher p;
            synchronized (this) {
                p = publisher;
            }
            p.publish(List.of(Outgoing.of(Topology.EVENTS_EXCHANGE,
                    Topology.edgeEventKey(envelope.lotId(), envelope.levelId(), envelope.type()), envelope)));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "edge status not published; the next one replaces it", e);
        }
    }

    @Override
    public synchronized void close() {
        scheduler.shutdownNow();
        if (publisher != null) {
            publisher.close();
        }
    }
}
