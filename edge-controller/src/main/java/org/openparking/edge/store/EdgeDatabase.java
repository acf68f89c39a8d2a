package org.openparking.edge.store;

import org.openparking.platform.jdbc.Database;
import org.openparking.platform.jdbc.SqliteSettings;

/** The level's SQLite file with the edge's migrations ({@code db/edge}). */
public final class EdgeDatabase {
    public static final String MIGRATIONS = "classpath:db/edge";

    private EdgeDatabase() {
    }

    public static Database open(SqliteSettings settings) {
        return Database.open(settings, MIGRATIONS);
    }
}
