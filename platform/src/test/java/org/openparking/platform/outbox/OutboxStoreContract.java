package org.openparking.platform.outbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.EdgeStatus;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;

/**
 * What every {@link OutboxStore} must do, run against each implementation on a real database with the
 * service's own migrations (as gruelbox transaction-outbox runs one contract against every dialect).
 */
abstract class OutboxStoreContract {
    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00.123Z");

    private OutboxStore store;
    private Connection c;

    /** A fresh, migrated database. */
    abstract Connection openMigrated() throws Exception;

    abstract OutboxStore store();

    abstract void dropDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = store();
        c = openMigrated();
        c.setAutoCommit(false);
    }

    @AfterEach
    void close() throws Exception {
        c.close();
        dropDatabase();
    }

    /** Writes one message at {@code at} in the current transaction and returns its seq. */
    private long write(Instant at) throws SQLException {
        long seq = store.nextSeq(c);
        Envelope e = Envelope.of("lot-1.L0", "lot-1", "L0", seq, at, new EdgeStatus("dev", "ONLINE", seq, 0));
        assertThat(store.insert(c, new OutboxStore.Message(e, "parking.events", "edge.lot-1.L0." + e.type(),
                MessageCodec.encode(e), "tester")), is(true));
        return seq;
    }

    private List<Long> unsentSeqs() throws SQLException {
        return store.unsent(c, 0, null, 1000).stream().map(OutboxStore.Row::seq).toList();
    }

    @Test
    void rowsComeBackUnsentInSeqOrderWithWhatWasWritten() throws Exception {
        long seq = store.nextSeq(c);
        Envelope e = Envelope.of("lot-1.L0", "lot-1", "L0", seq, T0, new EdgeStatus("dev", "ONLINE", 3, 4));
        byte[] body = MessageCodec.encode(e);
        store.insert(c, new OutboxStore.Message(e, "parking.events", "edge.lot-1.L0.edge.status", body, null));
        long second = write(T0.plusSeconds(1));
        long third = write(T0.plusSeconds(2));
        c.commit();

        List<OutboxStore.Row> rows = store.unsent(c, 0, null, 10);
        assertThat(rows.stream().map(OutboxStore.Row::seq).toList(), contains(seq, second, third));
        OutboxStore.Row first = rows.getFirst();
        assertThat(first.messageId(), is(e.id()));
        assertThat(first.type(), is(e.type()));
        assertThat(first.exchange(), is("parking.events"));
        assertThat(first.routingKey(), is("edge.lot-1.L0.edge.status"));
        assertThat(new String(first.body(), StandardCharsets.UTF_8), is(new String(body, StandardCharsets.UTF_8)));
        assertThat(first.createdAt(), is(T0));
        assertThat(first.attempts(), is(0));
        assertThat(MessageCodec.decode(first.body()).id(), is(e.id()));
    }

    @Test
    void aRowIsWrittenInTheCallersTransactionAndGoneWithItsRollback() throws Exception {
        write(T0);
        c.rollback();
        assertThat(unsentSeqs(), is(empty()));
        assertThat(store.backlog(c).pending(), is(0L));
        assertThat(store.backlog(c).oldestCreatedAt(), is(nullValue()));
    }

    @Test
    void theSameMessageIdIsWrittenOnce() throws Exception {
        long seq = store.nextSeq(c);
        Envelope e = Envelope.of("lot-1.L0", "lot-1", "L0", seq, T0, new EdgeStatus("dev", "ONLINE", 0, 0));
        OutboxStore.Message m = new OutboxStore.Message(e, "parking.edge", "lot-1.L0", MessageCodec.encode(e), null);
        assertThat(store.insert(c, m), is(true));
        assertThat(store.insert(c, m), is(false));
        c.commit();
        assertThat(unsentSeqs(), contains(seq));
    }

    @Test
    void markedSentRowsAreNoLongerPendingAndMarkingAgainChangesNothing() throws Exception {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seqs.add(write(T0.plusSeconds(i)));
        }
        c.commit();
        // A run and a gap, as confirms arrive.
        long[] confirmed = {seqs.get(0), seqs.get(1), seqs.get(2), seqs.get(4)};
        assertThat(store.markSent(c, confirmed, T0.plusSeconds(60)), is(4));
        assertThat(store.markSent(c, confirmed, T0.plusSeconds(61)), is(0));
        c.commit();
        assertThat(unsentSeqs(), contains(seqs.get(3), seqs.get(5)));
        OutboxStore.Backlog b = store.backlog(c);
        assertThat(b.pending(), is(2L));
        assertThat(store.pending(c), is(2L));
        assertThat(b.oldestCreatedAt(), is(T0.plusSeconds(3)));
        assertThat(b.oldestAgeSeconds(T0.plusSeconds(13)), is(10L));
    }

    @Test
    void failedAttemptsAreCountedAndTheRowIsNeverDropped() throws Exception {
        long seq = write(T0);
        c.commit();
        for (int i = 0; i < 25; i++) {
            assertThat(store.recordFailures(c, List.of(new OutboxStore.Failure(seq, "nack from broker " + i))),
                    is(1));
            c.commit();
        }
        List<OutboxStore.Row> rows = store.unsent(c, 0, null, 10);
        assertThat(rows.size(), is(1));
        assertThat(rows.getFirst().attempts(), is(25));
        assertThat(store.backlog(c).maxAttempts(), is(25));
        // A sent row takes no more failures.
        store.markSent(c, new long[] {seq}, T0.plusSeconds(1));
        assertThat(store.recordFailures(c, List.of(new OutboxStore.Failure(seq, "late"))), is(0));
        c.commit();
        assertThat(store.backlog(c).pending(), is(0L));
    }

    @Test
    void unsentReadsAfterACursorUpToALimitAndNotYoungerThanAsked() throws Exception {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seqs.add(write(T0.plusSeconds(i * 10L)));
        }
        c.commit();
        assertThat(store.unsent(c, seqs.get(1), null, 2).stream().map(OutboxStore.Row::seq).toList(),
                contains(seqs.get(2), seqs.get(3)));
        assertThat(store.unsent(c, 0, T0.plusSeconds(15), 10).stream().map(OutboxStore.Row::seq).toList(),
                contains(seqs.get(0), seqs.get(1)));
    }

    @Test
    void pruningDeletesOnlySentRowsOlderThanTheCutoffInChunks() throws Exception {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seqs.add(write(T0));
        }
        c.commit();
        Instant old = T0.plus(1, ChronoUnit.HOURS);
        Instant recent = T0.plus(3, ChronoUnit.DAYS);
        store.markSent(c, new long[] {seqs.get(0), seqs.get(1), seqs.get(2)}, old);
        store.markSent(c, new long[] {seqs.get(3)}, recent);
        c.commit();

        Instant cutoff = T0.plus(1, ChronoUnit.DAYS);
        assertThat(store.prune(c, cutoff, 2), is(2));
        assertThat(store.prune(c, cutoff, 2), is(1));
        assertThat(store.prune(c, cutoff, 2), is(0));
        c.commit();
        assertThat(unsentSeqs(), contains(seqs.get(4)));
        assertThat(store.prune(c, recent.plusSeconds(1), 100), is(1));
        c.commit();
        assertThat(unsentSeqs(), contains(seqs.get(4)));
        assertThat(store.backlog(c).pending(), is(1L));
    }

    @Test
    void aSequenceNumberIsNeverReusedAfterPruning() throws Exception {
        long seq = write(T0);
        c.commit();
        store.markSent(c, new long[] {seq}, T0);
        store.prune(c, T0.plusSeconds(1), 10);
        c.commit();
        assertThat(store.nextSeq(c), greaterThan(seq));
    }
}
