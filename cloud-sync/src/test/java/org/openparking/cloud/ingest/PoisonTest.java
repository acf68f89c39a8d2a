package org.openparking.cloud.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** Which PostgreSQL refusals are the message's fault (dead-letter) and which are passing (hand back). */
class PoisonTest {
    @Test
    void dataIntegrityAndProgramLimitErrorsArePoisonAnOutageIsNot() {
        assertThat(EventConsumer.poison(new SQLException("value too long", "22001")), is(true));
        assertThat(EventConsumer.poison(new SQLException("duplicate key", "23505")), is(true));
        // "index row size exceeds btree maximum": a redelivery would fail the same way, forever.
        assertThat(EventConsumer.poison(new SQLException("index row size 5232 exceeds maximum", "54000")), is(true));
        assertThat(EventConsumer.poison(new SQLException("connection failure", "08006")), is(false));
        assertThat(EventConsumer.poison(new SQLTransientConnectionException("pool timeout", "22000")), is(false));
        assertThat(EventConsumer.poison(new SQLException("no state")), is(false));
    }
}
