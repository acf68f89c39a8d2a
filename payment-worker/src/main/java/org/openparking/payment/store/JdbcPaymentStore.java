package org.openparking.payment.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.platform.jdbc.Transaction;

/** {@link PaymentStore} on PostgreSQL with plain JDBC. */
public final class JdbcPaymentStore implements PaymentStore {
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final long TIMEOUT_MARGIN_MS = 5_000;
    private static final String COLUMNS = "payment_id, session_id, status, amount, currency, deferred,"
            + " provider_reference, failure_code, failure_message, refunded_amount, edge_id, lot_id, level_id, seq,"
            + " created_at, updated_at";

    private final DataSource dataSource;

    public JdbcPaymentStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A transaction whose row-lock waits are bounded by {@code timeout}: the pool's statement and socket
     * timeouts are lifted above it for this transaction, or they would cut that wait short with a
     * different error.
     */
    private Transaction lockingTransaction(Duration timeout) throws SQLException {
        Transaction tx = Jdbc.begin(dataSource);
        try {
            Connection c = tx.connection();
            long waitMs = Math.max(1, timeout.toMillis());
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '" + waitMs + "ms'");
                s.execute("SET LOCAL statement_timeout = '" + (waitMs + TIMEOUT_MARGIN_MS) + "ms'");
            }
            int socketMs = (int) Math.min(Integer.MAX_VALUE, waitMs + 2 * TIMEOUT_MARGIN_MS);
            if (c.getNetworkTimeout() != 0 && c.getNetworkTimeout() < socketMs) {
                c.setNetworkTimeout(Runnable::run, socketMs);
            }
            return tx;
        } catch (SQLException | RuntimeException e) {
            tx.close();
            throw e;
        }
    }

    @Override
    public PaymentClaim claim(PaymentRecord initial, Duration timeout) {
        Transaction tx = null;
        try {
            // Waiting on another worker's claim (row lock or its uncommitted insert) is bounded by the timeout.
            tx = lockingTransaction(timeout);
            Connection c = tx.connection();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO payment_results (" + COLUMNS + ")"
                    + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (payment_id) DO NOTHING")) {
                bind(ps, initial);
                ps.executeUpdate();
            }
            PaymentRecord current;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM payment_results WHERE payment_id = ? FOR UPDATE")) {
                ps.setString(1, initial.paymentId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("claimed payment " + initial.paymentId() + " vanished");
                    }
                    current = read(rs);
                }
            }
            return new JdbcClaim(tx, current);
        } catch (SQLException e) {
            if (tx != null) {
                tx.close();
            }
            throw new StoreException("cannot claim payment " + initial.paymentId(), e,
                    LOCK_NOT_AVAILABLE.equals(e.getSQLState()));
        }
    }

    @Override
    public Optional<PaymentRecord> find(String paymentId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT " + COLUMNS + " FROM payment_results WHERE payment_id = ?")) {
            ps.setString(1, paymentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read payment " + paymentId, e, false);
        }
    }

    @Override
    public java.util.List<PaymentRecord> pendingOlderThan(Duration age, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payment_results"
                     + " WHERE status = 'PENDING' AND provider_reference IS NOT NULL AND updated_at < ?"
                     + " ORDER BY updated_at LIMIT ?")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now().minus(age)));
            ps.setInt(2, limit);
            java.util.List<PaymentRecord> found = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(read(rs));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StoreException("cannot list pending payments", e, false);
        }
    }

    @Override
    public Optional<RefundRecord> findRefund(String refundId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT refund_id, payment_id, session_id, outcome, amount,"
                     + " currency, provider_reference, failure_code, edge_id, lot_id, level_id, seq, created_at"
                     + " FROM refund_results WHERE refund_id = ?")) {
            ps.setString(1, refundId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new RefundRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getLong(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        rs.getString(9), rs.getString(10), rs.getString(11), rs.getLong(12),
                        rs.getTimestamp(13).toInstant()));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read refund " + refundId, e, false);
        }
    }

    @Override
    public RefundClaim claimRefund(String paymentId, Duration timeout) {
        Transaction tx = null;
        try {
            tx = lockingTransaction(timeout);
            Optional<PaymentRecord> payment;
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "SELECT " + COLUMNS + " FROM payment_results WHERE payment_id = ? FOR UPDATE")) {
                ps.setString(1, paymentId);
                try (ResultSet rs = ps.executeQuery()) {
                    payment = rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
            return new JdbcRefundClaim(tx, payment);
        } catch (SQLException e) {
            if (tx != null) {
                tx.close();
            }
            throw new StoreException("cannot lock payment " + paymentId + " for a refund", e,
                    LOCK_NOT_AVAILABLE.equals(e.getSQLState()));
        }
    }

    /** Inserts a refund outcome unless its id is stored; true when this call stored it. */
    private static boolean insertRefund(Connection c, RefundRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO refund_results (refund_id, payment_id,"
                     + " session_id, outcome, amount, currency, provider_reference, failure_code, edge_id, lot_id,"
                     + " level_id, seq, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
                     + " ON CONFLICT (refund_id) DO NOTHING")) {
            ps.setString(1, r.refundId());
            ps.setString(2, r.paymentId());
            ps.setString(3, r.sessionId());
            ps.setString(4, r.outcome());
            ps.setLong(5, r.amount());
            ps.setString(6, r.currency());
            ps.setString(7, r.providerReference());
            ps.setString(8, r.failureCode());
            ps.setString(9, r.edgeId());
            ps.setString(10, r.lotId());
            ps.setString(11, r.levelId());
            ps.setLong(12, r.seq());
            ps.setTimestamp(13, Timestamp.from(r.createdAt()));
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public WebhookTransaction beginWebhook() {
        try {
            Transaction tx = Jdbc.begin(dataSource);
            try (Statement s = tx.connection().createStatement()) {
                // A worker's claim holds the row through its Stripe call; do not wait on it for long.
                s.execute("SET LOCAL lock_timeout = '10s'");
            } catch (SQLException e) {
                tx.close();
                throw e;
            }
            return new JdbcWebhookTransaction(tx);
        } catch (SQLException e) {
            throw new StoreException("cannot begin webhook transaction", e, false);
        }
    }

    static void bind(PreparedStatement ps, PaymentRecord r) throws SQLException {
        ps.setString(1, r.paymentId());
        ps.setString(2, r.sessionId());
        ps.setString(3, r.status().name());
        ps.setLong(4, r.amount());
        ps.setString(5, r.currency());
        ps.setBoolean(6, r.deferred());
        ps.setString(7, r.providerReference());
        ps.setString(8, r.failureCode());
        ps.setString(9, r.failureMessage());
        ps.setLong(10, r.refundedAmount());
        ps.setString(11, r.edgeId());
        ps.setString(12, r.lotId());
        ps.setString(13, r.levelId());
        ps.setLong(14, r.seq());
        ps.setTimestamp(15, Timestamp.from(r.createdAt()));
        ps.setTimestamp(16, Timestamp.from(r.updatedAt()));
    }

    static PaymentRecord read(ResultSet rs) throws SQLException {
        return new PaymentRecord(rs.getString("payment_id"), rs.getString("session_id"),
                PaymentRecord.Status.valueOf(rs.getString("status")), rs.getLong("amount"), rs.getString("currency"),
                rs.getBoolean("deferred"), rs.getString("provider_reference"), rs.getString("failure_code"),
                rs.getString("failure_message"), rs.getLong("refunded_amount"), rs.getString("edge_id"),
                rs.getString("lot_id"), rs.getString("level_id"), rs.getLong("seq"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    static void update(Connection c, PaymentRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE payment_results SET status = ?,"
                + " provider_reference = ?, failure_code = ?, failure_message = ?, refunded_amount = ?,"
                + " updated_at = ? WHERE payment_id = ?")) {
            ps.setString(1, r.status().name());
            ps.setString(2, r.providerReference());
            ps.setString(3, r.failureCode());
            ps.setString(4, r.failureMessage());
            ps.setLong(5, r.refundedAmount());
            ps.setTimestamp(6, Timestamp.from(r.updatedAt() == null ? Instant.now() : r.updatedAt()));
            ps.setString(7, r.paymentId());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("payment " + r.paymentId() + " not found for update");
            }
        }
    }

    private static final class JdbcClaim implements PaymentClaim {
        private final Transaction tx;
        private final PaymentRecord current;

        JdbcClaim(Transaction tx, PaymentRecord current) {
            this.tx = tx;
            this.current = current;
        }

        @Override
        public PaymentRecord current() {
            return current;
        }

        @Override
        public void complete(PaymentRecord updated) {
            try {
                update(tx.connection(), updated);
                tx.commit();
            } catch (SQLException e) {
                throw new StoreException("cannot store payment " + updated.paymentId(), e, false);
            }
        }

        @Override
        public void close() {
            tx.close();
        }
    }

    private final class JdbcRefundClaim implements RefundClaim {
        private final Transaction tx;
        private final Optional<PaymentRecord> payment;

        JdbcRefundClaim(Transaction tx, Optional<PaymentRecord> payment) {
            this.tx = tx;
            this.payment = payment;
        }

        @Override
        public Optional<PaymentRecord> payment() {
            return payment;
        }

        @Override
        public RefundRecord complete(RefundRecord refund) {
            try {
                Connection c = tx.connection();
                if (insertRefund(c, refund) && "REFUNDED".equals(refund.outcome()) && payment.isPresent()) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE payment_results"
                            + " SET refunded_amount = refunded_amount + ?, updated_at = ? WHERE payment_id = ?")) {
                        ps.setLong(1, refund.amount());
                        ps.setTimestamp(2, Timestamp.from(refund.createdAt()));
                        ps.setString(3, refund.paymentId());
                        if (ps.executeUpdate() != 1) {
                            throw new SQLException("payment " + refund.paymentId() + " vanished under its lock");
                        }
                    }
                }
                tx.commit();
            } catch (SQLException e) {
                throw new StoreException("cannot store refund " + refund.refundId(), e, false);
            }
            return findRefund(refund.refundId()).orElseThrow();
        }

        @Override
        public void close() {
            tx.close();
        }
    }

    private static final class JdbcWebhookTransaction implements WebhookTransaction {
        private final Transaction tx;
        private final Connection connection;

        JdbcWebhookTransaction(Transaction tx) {
            this.tx = tx;
            this.connection = tx.connection();
        }

        @Override
        public boolean markSeen(String eventId, String type) {
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO webhook_events (event_id, type,"
                    + " received_at) VALUES (?,?,?) ON CONFLICT (event_id) DO NOTHING")) {
                ps.setString(1, eventId);
                ps.setString(2, type);
                ps.setTimestamp(3, Timestamp.from(Instant.now()));
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                throw new StoreException("cannot record webhook event " + eventId, e, false);
            }
        }

        @Override
        public Optional<PaymentRecord> lockPayment(String providerReference, String paymentId) {
            try {
                if (providerReference != null) {
                    Optional<PaymentRecord> byRef = lockWhere("provider_reference", providerReference);
                    if (byRef.isPresent()) {
                        return byRef;
                    }
                }
                return paymentId == null ? Optional.empty() : lockWhere("payment_id", paymentId);
            } catch (SQLException e) {
                throw new StoreException("cannot lock payment " + providerReference, e, false);
            }
        }

        private Optional<PaymentRecord> lockWhere(String column, String value) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM payment_results WHERE " + column + " = ? FOR UPDATE")) {
                ps.setString(1, value);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        }

        @Override
        public void update(PaymentRecord record) {
            try {
                JdbcPaymentStore.update(connection, record);
            } catch (SQLException e) {
                throw new StoreException("cannot update payment " + record.paymentId(), e, false);
            }
        }

        @Override
        public void commit() {
            try {
                tx.commit();
            } catch (SQLException e) {
                throw new StoreException("cannot commit webhook transaction", e, false);
            }
        }

        @Override
        public void close() {
            tx.close();
        }
    }
}
