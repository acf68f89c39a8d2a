package org.openparking.cloud.auth;

import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.platform.jdbc.Jdbc;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** Users with BCrypt password hashes, and the lots each operator owns. */
public final class UserStore {
    private final DataSource dataSource;
    private final BCryptPasswordEncoder encoder;
    // Compared against when the user does not exist, so a miss costs as much as a wrong password.
    private final String dummyHash;
    private final java.util.List<java.util.function.Consumer<String>> lotsChanged =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public UserStore(DataSource dataSource) {
        this(dataSource, 10);
    }

    public UserStore(DataSource dataSource, int bcryptStrength) {
        this.dataSource = dataSource;
        this.encoder = new BCryptPasswordEncoder(bcryptStrength);
        this.dummyHash = encoder.encode("not-a-password");
    }

    /** A user without secrets. */
    public record User(String username, Role role, String operatorId, Instant createdAt, String createdBy) {
    }

    /** Audit detail of a new user; {@code operator} null for a platform user. */
    record UserCreated(String role, String operator) {
    }

    /** The user if the password matches. */
    public Optional<User> authenticate(String username, String password) throws SQLException {
        if (username == null || password == null || password.length() > 128) {
            return Optional.empty();
        }
        record Row(User user, String hash) {
        }
        List<Row> rows = Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT username, role, operator_id, created_at, created_by, password_hash FROM users WHERE username = ?",
                rs -> new Row(user(rs), rs.getString(6)), username));
        if (rows.isEmpty()) {
            encoder.matches(password, dummyHash);
            return Optional.empty();
        }
        return encoder.matches(password, rows.getFirst().hash()) ? Optional.of(rows.getFirst().user()) : Optional.empty();
    }

    /** Creates a user and writes the audit row in the same transaction; false if the name is taken. */
    public boolean create(String username, String password, Role role, String operatorId, Principal by)
            throws SQLException {
        requirePassword(password);
        String hash = encoder.encode(password);
        return Jdbc.inTransaction(dataSource, c -> {
            boolean created = Jdbc.update(c, """
                    INSERT INTO users (username, password_hash, role, operator_id, created_by) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (username) DO NOTHING""", username, hash, role.name(), operatorId,
                    by == null ? "bootstrap" : by.username()) == 1;
            if (created && by != null) {
                AuditLog.append(c, by, "user.create", username, null, null, new UserCreated(role.claim(), operatorId));
            }
            return created;
        });
    }

    public Optional<User> find(String username) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c,
                "SELECT username, role, operator_id, created_at, created_by FROM users WHERE username = ?",
                UserStore::user, username)).stream().findFirst();
    }

    public List<User> list(Principal caller) throws SQLException {
        return Jdbc.read(dataSource, c -> caller.platform()
                ? Jdbc.query(c, "SELECT username, role, operator_id, created_at, created_by FROM users ORDER BY username",
                UserStore::user)
                : Jdbc.query(c, """
                        SELECT username, role, operator_id, created_at, created_by FROM users WHERE operator_id = ?
                        ORDER BY username""", UserStore::user, caller.operatorId()));
    }

    /** Called with the operator after this instance committed a change to its lots. */
    public void onLotsChanged(java.util.function.Consumer<String> listener) {
        lotsChanged.add(listener);
    }

    /** Gives a lot to an operator (audited); false if it already had it. */
    public boolean assignLot(String operatorId, String lotId, Principal by) throws SQLException {
        boolean added = Jdbc.inTransaction(dataSource, c -> {
            boolean inserted = Jdbc.update(c, "INSERT INTO operator_lots (operator_id, lot_id) VALUES (?, ?) "
                    + "ON CONFLICT DO NOTHING", operatorId, lotId) == 1;
            if (inserted) {
                AuditLog.append(c, by, "operator.assign-lot", operatorId, lotId, null, null);
            }
            return inserted;
        });
        // At once here; other instances hear of it through the change feed.
        lotsChanged.forEach(l -> l.accept(operatorId));
        return added;
    }

    public Set<String> lotsOf(String operatorId) throws SQLException {
        return Jdbc.read(dataSource, c -> new HashSet<>(Jdbc.query(c,
                "SELECT lot_id FROM operator_lots WHERE operator_id = ?", rs -> rs.getString(1), operatorId)));
    }

    private static void requirePassword(String password) {
        if (password == null || password.length() < 12 || password.length() > 128) {
            throw new IllegalArgumentException("password must be 12 to 128 characters");
        }
    }

    private static User user(java.sql.ResultSet rs) throws SQLException {
        return new User(rs.getString(1), Role.valueOf(rs.getString(2)), rs.getString(3),
                Jdbc.instant(rs.getTimestamp(4)), rs.getString(5));
    }
}
