package org.openparking.cloud.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.openparking.cloud.auth.Principal;
import org.openparking.cloud.auth.RequestScope;
import org.openparking.platform.jdbc.DelegatingDataSource;

/**
 * A data source that tells PostgreSQL who is acting: on each checkout it sets the session settings
 * {@code parking.actor}, {@code parking.role} and {@code parking.request_id} from the request's
 * caller (empty outside a request), which the audit triggers read. Given to the services whose
 * writes are operator actions (commands, tariffs, refunds), so they need no audit code of their own.
 */
public final class AuditingDataSource extends DelegatingDataSource {
    public AuditingDataSource(DataSource delegate) {
        super(delegate);
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
}
