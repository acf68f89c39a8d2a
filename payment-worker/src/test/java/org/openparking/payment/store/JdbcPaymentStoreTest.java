package org.openparking.payment.store;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.platform.jdbc.PostgresSettings;
import org.openparking.testing.TestDatabase;

/** The claim's bounded wait on a pool whose statement timeout is much shorter than the claim timeout. */
class JdbcPaymentStoreTest {
    private TestDatabase database;
    private PooledDataSource pool;
    private JdbcPaymentStore store;

    @BeforeEach
    void open() {
        database = TestDatabase.create();
        pool = PooledDataSource.postgres(new PostgresSettings(database.url(), 4, Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(2)), "payment-test");
        pool.migrate("classpath:db/migration");
        store = new JdbcPaymentStore(pool);
    }

    @AfterEach
    void close() {
        pool.close();
        database.close();
    }

    @Test
    void aClaimWaitsForAnotherWorkersClaimUpToItsOwnTimeoutNotThePoolsStatementTimeout() {
        PaymentRecord initial = new PaymentRecord("pay-1", "s-1", PaymentRecord.Status.PENDING, 500, "EUR", false,
                null, null, null, 0, "edge-lot-1-L0", "lot-1", "L0", 1, Instant.now(), Instant.now());
        try (PaymentStore.PaymentClaim held = store.claim(initial, Duration.ofSeconds(1))) {
            long start = System.nanoTime();
            StoreException e = assertThrows(StoreException.class, () -> store.claim(initial, Duration.ofMillis(1_500)));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            // The lock timeout ended the wait (55P03), not the 200 ms statement or 1 s socket timeout.
            assertThat(e.lockTimeout(), is(true));
            assertThat(waitedMs, greaterThanOrEqualTo(1_400L));
            assertThat(held.current().paymentId(), is("pay-1"));
        }
    }
}
