package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.testing.TestDatabase;

/**
 * The documented least-privilege roles ({@code scripts/postgresql-roles.sql}, under role names of this run): the
 * owner role runs cloud-sync's migrations, the application role can then start (Flyway finds nothing to do) and
 * write rows, including audit rows, but every way of getting past the audit triggers or changing the schema is
 * refused by PostgreSQL (SQL state 42501), and the audit log keeps its row.
 */
class LeastPrivilegeRoleTest {

    @Test
    void theApplicationRoleCannotDisableTheAuditTriggers() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String owner = "parking_owner_" + run;
        String app = "parking_app_" + run;
        try (TestDatabase db = TestDatabase.create()) {
            try {
                String script = Files.readString(script()).replace("parking_owner", owner).replace("parking_app", app);
                try (Connection su = db.connect(); Statement s = su.createStatement()) {
                    s.execute(script);
                }
                try (PooledDataSource asOwner = pool(db, owner)) {
                    asOwner.migrate(Main.MIGRATIONS);
                }
                try (PooledDataSource asApp = pool(db, app)) {
                    asApp.migrate(Main.MIGRATIONS); // validates and applies nothing: the owner did
                    try (Connection c = asApp.getConnection(); Statement s = c.createStatement()) {
                        c.setAutoCommit(true); // each refused statement on its own, not one aborted transaction
                        s.executeUpdate("INSERT INTO audit_log (actor, action, target) VALUES ('op', 'test', 'lot')");
                        for (String attack : List.of(
                                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
                                "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                                "DROP TRIGGER audit_log_no_update ON audit_log",
                                "SET session_replication_role = replica",
                                "TRUNCATE audit_log",
                                "DELETE FROM audit_log",
                                "UPDATE audit_log SET actor = 'someone else'",
                                "CREATE TABLE shadow (id int)",
                                "ALTER TABLE sessions ADD COLUMN spy text")) {
                            SQLException refused = assertThrows(SQLException.class, () -> s.execute(attack), attack);
                            assertThat(attack + ": " + refused.getMessage(), refused.getSQLState(), is("42501"));
                        }
                        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_log")) {
                            rs.next();
                            assertThat(rs.getLong(1), is(1L));
                        }
                    }
                }
            } finally {
                db.close();
                try (Connection su = DriverManager.getConnection("jdbc:postgresql://" + TestDatabase.HOST
                        + ":5432/postgres?user=" + TestDatabase.USER); Statement s = su.createStatement()) {
                    s.execute("DROP ROLE IF EXISTS " + app);
                    s.execute("DROP ROLE IF EXISTS " + owner);
                }
            }
        }
    }

    private static PooledDataSource pool(TestDatabase db, String user) {
        String url = db.url().replace("?user=" + TestDatabase.USER, "?user=" + user);
        return PooledDataSource.postgres(CloudSettings.defaults().db().with(url, 2), "cloud-sync");
    }

    /** The script in the repository, from the module directory Maven runs the tests in. */
    private static Path script() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("scripts/postgresql-roles.sql");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("scripts/postgresql-roles.sql not found above " + Path.of("").toAbsolutePath());
    }
}
