package org.openparking.platform.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A transaction held open across calls, for work that cannot be one lambda (a payment claim that holds
 * its row lock through the Stripe call). {@link #close()} without {@link #commit()} rolls back; either
 * way it hands the connection back. Everything else uses {@link Jdbc#inTransaction}.
 */
public interface Transaction extends AutoCloseable {

    /** The connection, not in auto-commit, until {@link #close()}. */
    Connection connection();

    void commit() throws SQLException;

    /** Rolls back unless committed and releases the connection; never throws. */
    @Override
    void close();
}
