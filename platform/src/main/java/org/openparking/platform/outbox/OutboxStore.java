package org.openparking.platform.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.openparking.protocol.Envelope;

/**
 * The SQL of a transactional outbox (offline-first rule 2), once for every service: a message is a row
 * written with the caller's {@link Connection}, in the same transaction as the state change it reports;
 * a relay reads the unsent rows in {@code seq} order, publishes them with confirms and marks them sent
 * only after the broker confirmed. A failed attempt is counted on the row, which stays unsent: nothing
 * is dropped after N retries. Every method runs on the connection it is given and leaves the
 * transaction to the caller.
 */
public interface OutboxStore {

    /** The edge's {@code outbox} table in its SQLite file. */
    static OutboxStore sqlite() {
        return new SqliteOutboxStore();
    }

    /** cloud-sync's {@code commands} table in PostgreSQL (commands to edges, requests to the payment worker). */
    static OutboxStore postgres() {
        return new PostgresOutboxStore();
    }

    /** A message to write: its envelope, where it goes, and (where the table keeps it) who asked for it. */
    record Message(Envelope envelope, String exchange, String routingKey, byte[] body, String requestedBy) {
        public Message {
            if (envelope == null || exchange == null || routingKey == null || body == null) {
                throw new IllegalArgumentException("envelope, exchange, routingKey and body are required");
            }
        }
    }

    /** An unsent row as the relay reads it. */
    record Row(long seq, String messageId, String type, String exchange, String routingKey, byte[] body,
               Instant createdAt, int attempts) {
    }

    /** A publish attempt of row {@code seq} that failed, and why. */
    record Failure(long seq, String reason) {
    }

    /**
     * What is waiting: unsent rows, when the oldest was written (null when none), most failed attempts of
     * any of them.
     */
    record Backlog(long pending, Instant oldestCreatedAt, int maxAttempts) {
        public long oldestAgeSeconds(Instant now) {
            return oldestCreatedAt == null ? 0 : Math.max(0, Duration.between(oldestCreatedAt, now).toSeconds());
        }
    }

    /** The next sequence number (never reused, even after sent rows were pruned). */
    long nextSeq(Connection c) throws SQLException;

    /** Writes the row; false (and nothing written) when a row with the envelope's id exists already. */
    boolean insert(Connection c, Message message) throws SQLException;

    /**
     * Unsent rows with {@code seq > afterSeq}, written at or before {@code createdAtOrBefore} (null: any),
     * in {@code seq} order, at most {@code limit}.
     */
    List<Row> unsent(Connection c, long afterSeq, Instant createdAtOrBefore, int limit) throws SQLException;

    /** Marks the rows sent at {@code at} (only those still unsent); returns how many. */
    int markSent(Connection c, long[] seqs, Instant at) throws SQLException;

    /** Counts a failed attempt and its reason on each row still unsent; returns how many. */
    int recordFailures(Connection c, List<Failure> failures) throws SQLException;

    /** Deletes at most {@code limit} rows sent before {@code sentBefore}; unsent rows never. Returns how many. */
    int prune(Connection c, Instant sentBefore, int limit) throws SQLException;

    Backlog backlog(Connection c) throws SQLException;

    /** Unsent rows (cheaper than {@link #backlog}, for a metrics gauge). */
    long pending(Connection c) throws SQLException;

    /** Truncated so a long broker error cannot bloat a row. */
    static String reason(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500);
    }
}
