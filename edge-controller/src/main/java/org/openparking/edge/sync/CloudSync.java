package org.openparking.edge.sync;

import java.time.Clock;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.payment.PaymentRepository;
import org.openparking.edge.payment.PaymentResults;
import org.openparking.platform.jdbc.Database;

/**
 * The edge's link to the cloud: the outbox relay and the consumer of the edge's queue, on one broker
 * connection. Started only when {@code cloud.amqp-uri} is set.
 */
public final class CloudSync implements AutoCloseable {
    private final OutboxRelay relay;

    private CloudSync(OutboxRelay relay) {
        this.relay = relay;
    }

    public static CloudSync start(SyncSettings settings, String edgeId, Database db, SyncState state,
                                  LevelCommands commands, PaymentRepository payments, PaymentResults results,
                                  Clock clock) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("cloud.amqp-uri is not set");
        }
        EdgeQueueConsumer consumer = new EdgeQueueConsumer(edgeId, settings.prefetch(), db, commands, payments,
                results, state, clock);
        OutboxRelay relay = new OutboxRelay(db, settings, edgeId, state, consumer, clock);
        db.afterCommit(relay::wake);
        relay.start();
        return new CloudSync(relay);
    }

    @Override
    public void close() {
        relay.close();
    }
}
