package org.openparking.cloud.audit;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.auth.RequestScope;

/**
 * A data source that tells PostgreSQL who is acting: on each checkout it sets the session settings
 * {@code parking.actor}, {@code parking.role} and {@code parking.request_id} from the request's
 * caller (empty outside a request), which the audit triggers read. Given to the services whose
 * writes are operator actions (commands, tariffs, refunds), so they need no audit code of their own.
 */
public final class AuditingDataSource implements DataSource {
    private final DataSource delegate;

    public AuditingDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return tag(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return tag(delegate.getConnection(username, password));
    }

    private static Connection tag(Connection c) throws SQLException {
        Principal p = RequestScope.caller().orElse(null);
        boolean autoCommit = c.getAutoCommit();
        // Session-level (not transaction-local) so it holds for the transaction the caller opens next;
        // every checkout overwrites it, so a pooled connection never carries a previous caller.
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('parking.actor', ?, false), "
                + "set_config('parking.role', ?, false), set_config('parking.request_id', ?, false)")) {
            ps.setString(1, p == null ? "" : p.username());
            ps.setString(2, p == null ? "" : p.role().claim());
            ps.setString(3, p == null || p.requestId() == null ? "" : p.requestId());
            ps.executeQuery().close();
            if (!autoCommit) {
                c.commit();
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }
}
