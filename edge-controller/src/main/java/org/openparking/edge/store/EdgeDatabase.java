package org.openparking.edge.store;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Path;
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

    /** {@code file} with the built-in {@code edge} defaults (busy timeout), for tools and tests. */
    public static Database open(Path file) {
        return open(SqliteSettings.create(Config.just(ConfigSources.classpath("application.yaml")).get("edge"))
                .withFile(file));
    }
}
