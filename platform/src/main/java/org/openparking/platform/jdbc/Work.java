package org.openparking.platform.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of JDBC work on one connection. */
@FunctionalInterface
public interface Work<T> {
    T run(Connection connection) throws SQLException;
}
