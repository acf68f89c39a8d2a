package org.openparking.platform.outbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.flywaydb.core.Flyway;

/** The contract on a temp SQLite file with the edge's own migrations. */
class SqliteOutboxStoreTest extends OutboxStoreContract {
    private Path dir;

    @Override
    Connection openMigrated() throws Exception {
        dir = Files.createTempDirectory("outbox-store");
        String url = "jdbc:sqlite:" + dir.resolve("edge.db");
        Flyway.configure().dataSource(url, null, null)
                .locations("filesystem:../edge-controller/src/main/resources/db/edge").load().migrate();
        return DriverManager.getConnection(url);
    }

    @Override
    OutboxStore store() {
        return OutboxStore.sqlite();
    }

    @Override
    void dropDatabase() throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
