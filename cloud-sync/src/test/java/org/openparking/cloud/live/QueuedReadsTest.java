package org.openparking.cloud.live;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.CloudSettings;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.testing.TestDatabase;

/**
 * The read queue on a real pool of one connection: a read waits through the pool's own timeout while the
 * connection is busy and gets it once it is free; the queue is bounded (one more waiter than allowed fails at
 * once); and a read's turn comes back when its connection is closed.
 */
class QueuedReadsTest {
    @Test
    void aReadWaitsThroughPoolTimeoutsInABoundedQueueAndGivesItsTurnBack() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             PooledDataSource pool = PooledDataSource.postgres(CloudSettings.defaults().db().with(db.url(), 1),
                     "queued-reads-test")) {
            QueuedReads reads = new QueuedReads(pool, 1, 1, Duration.ofSeconds(60));
            Connection busy = pool.getConnection();
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
                try (Connection c = reads.getConnection()) {
                    return Jdbc.query(c, "SELECT 41 + 1", rs -> rs.getInt(1)).getFirst();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> reads.waiting() == 1);
                // The queue holds one: another read is refused at once, not piled up.
                SQLTransientConnectionException full = assertThrows(SQLTransientConnectionException.class,
                        reads::getConnection);
                assertThat(full.getMessage(), containsString("too many reads waiting"));
                // The pool itself gives up on the busy connection after its own timeout (5 s)...
                assertThrows(SQLTransientConnectionException.class, () -> pool.getConnection().close());
            } finally {
                busy.close();
            }
            // ...while the queued read waited through it and got the connection.
            assertThat(waiting.get(30, TimeUnit.SECONDS), is(42));
            assertThat(reads.waiting(), is(0));
            // Its turn came back with its connection: the only turn is free for the next read.
            try (Connection c = reads.getConnection()) {
                assertThat(Jdbc.query(c, "SELECT 1", rs -> rs.getInt(1)).getFirst(), is(1));
            }
        }
    }
}
