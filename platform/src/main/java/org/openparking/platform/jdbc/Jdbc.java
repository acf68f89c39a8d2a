package org.openparking.platform.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Plain JDBC helpers, for SQLite and PostgreSQL alike: the one place that commits and rolls back, and
 * parameters bound by position.
 */
public final class Jdbc {
    private Jdbc() {
    }

    /** Runs {@code work} in one transaction on a pooled connection: commit on return, rollback on any exception. */
    public static <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return inTransaction(c, work);
        }
    }

    /**
     * Runs {@code work} in one transaction on a connection the caller keeps (the SQLite writer). The
     * connection is back in auto-commit afterwards; an Error rolls back too, since switching auto-commit
     * back on would otherwise commit the half-done work.
     */
    static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        T result;
        try {
            result = work.run(c);
            c.commit();
        } catch (Throwable e) {
            rollbackQuietly(c, e);
            throw e;
        }
        c.setAutoCommit(true);
        return result;
    }

    /** Begins a transaction on a pooled connection that the caller commits and closes (see {@link Transaction}). */
    public static Transaction begin(DataSource dataSource) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
        } catch (SQLException e) {
            new HeldTransaction(c).close();
            throw e;
        }
        return new HeldTransaction(c);
    }

    /** Runs a read in an auto-commit connection. */
    public static <T> T read(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        }
    }

    /** Executes an update with positional parameters and returns the row count. */
    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    /** Maps one row. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(java.sql.ResultSet rs) throws SQLException;
    }

    /** Runs a query and maps every row. */
    public static <T> java.util.List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                java.util.List<T> rows = new java.util.ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
                return rows;
            }
        }
    }

    public static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            int index = i + 1;
            switch (p) {
                case null -> ps.setNull(index, Types.NULL);
                case Instant instant -> ps.setTimestamp(index, Timestamp.from(instant));
                case Enum<?> e -> ps.setString(index, e.name());
                case Json json -> ps.setObject(index, json.text(), Types.OTHER);
                case String[] texts -> ps.setArray(index, ps.getConnection().createArrayOf("text", texts));
                default -> ps.setObject(index, p);
            }
        }
    }

    /** A set bound as {@code text[]}; null stays null (SQL: {@code ?::text[] IS NULL OR x = ANY (?::text[])}). */
    public static String[] textArray(java.util.Set<String> values) {
        return values == null ? null : values.stream().sorted().toArray(String[]::new);
    }

    public static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    /**
     * Whether a failure says "PostgreSQL is not usable right now" (connection lost, shutting down,
     * out of resources, deadlock, serialization) rather than "this data is wrong". Anything not
     * clearly a data error counts as transient: re-queuing a good message is safe, dead-lettering
     * it because the database was down is not.
     */
    public static boolean isDataError(SQLException e) {
        if (e instanceof SQLTransientException) {
            return false;
        }
        String state = e.getSQLState();
        // 22: data exception (value too long, bad number); 23: integrity constraint violation.
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** A value bound as {@code jsonb}. */
    public record Json(String text) {
    }

    /** {@link Transaction} on one connection. */
    private static final class HeldTransaction implements Transaction {
        private final Connection connection;
        private boolean committed;

        HeldTransaction(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection connection() {
            return connection;
        }

        @Override
        public void commit() throws SQLException {
            connection.commit();
            committed = true;
        }

        @Override
        public void close() {
            // Failures here are not worth more than the work's own: a broken connection is discarded by the pool.
            try {
                if (!committed) {
                    connection.rollback();
                }
            } catch (SQLException ignored) {
                // released below either way
            }
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the pool resets it, or discards the connection
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing more to release
            }
        }
    }

    static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
