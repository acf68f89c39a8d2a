package org.openparking.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A fresh PostgreSQL database on the local server, dropped on close. */
public final class TestDatabase implements AutoCloseable {
    public static final String HOST = System.getenv().getOrDefault("PARKING_TEST_PG_HOST", "127.0.0.1");
    public static final String USER = System.getenv().getOrDefault("PARKING_TEST_PG_USER", "postgres");

    private final String name;

    private TestDatabase(String name) {
        this.name = name;
    }

    public static TestDatabase create() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + name);
        return new TestDatabase(name);
    }

    public String name() {
        return name;
    }

    public String url() {
        return "jdbc:postgresql://" + HOST + ":5432/" + name + "?user=" + USER;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":5432/postgres?user=" + USER);
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + HOST + ":5432: " + sql + " failed"
                    + " (is it running? scripts/services.sh)", e);
        }
    }

    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
}
