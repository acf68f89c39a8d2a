package org.openparking.edge.sync;

import io.helidon.metrics.api.MeterRegistry;
import java.time.Clock;
import java.util.List;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.platform.jdbc.Database;
import org.openparking.platform.outbox.OutboxStore;

/**
 * The edge's link to the cloud: the outbox relay, the consumer of the edge's queue and the status
 * heartbeat on one broker link, the pruner and the relay's meters. Started only when
 * {@code cloud.amqp-uri} is set.
 */
public final class CloudSync implements AutoCloseable {
    private final OutboxRelay relay;
    private final StatusHeartbeat heartbeat;
    private final OutboxPruner pruner;
    private final RelayMetrics metrics;

    private CloudSync(OutboxRelay relay, StatusHeartbeat heartbeat, OutboxPruner pruner, RelayMetrics metrics) {
        this.relay = relay;
        this.heartbeat = heartbeat;
        this.pruner = pruner;
        this.metrics = metrics;
    }

    public static CloudSync start(SyncSettings settings, String edgeId, Database db, SyncState state,
                                  LevelCommands commands, PaymentRepository payments, PaymentResults results,
                                  MeterRegistry registry, Clock clock) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("cloud.amqp-uri is not set");
        }
        OutboxStore store = OutboxStore.sqlite();
        EdgeQueueConsumer consumer = new EdgeQueueConsumer(edgeId, settings.prefetch(), db, commands, payments,
                results, state, clock, settings.authors());
        StatusHeartbeat heartbeat = new StatusHeartbeat(edgeId, state, clock, settings.heartbeat());
        RelayMetrics metrics = new RelayMetrics(registry, edgeId, state::pending);
        OutboxRelay relay = new OutboxRelay(db, store, settings, edgeId, state, List.of(consumer, heartbeat), metrics,
                clock);
        OutboxPruner pruner = new OutboxPruner(db, store, settings.retention(), settings.pruneInterval(), clock);
        db.afterCommit(relay::wake);
        relay.start();
        return new CloudSync(relay, heartbeat, pruner, metrics);
    }

    @Override
    public void close() {
        pruner.close();
        heartbeat.close();
        relay.close();
        metrics.close();
    }
}
