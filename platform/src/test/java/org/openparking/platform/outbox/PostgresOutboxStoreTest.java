package org.openparking.platform.outbox;

import java.sql.Connection;
import org.flywaydb.core.Flyway;
import org.openparking.testing.TestDatabase;

/** The contract on a fresh PostgreSQL database with cloud-sync's own migrations (its commands table). */
class PostgresOutboxStoreTest extends OutboxStoreContract {
    private TestDatabase database;

    @Override
    Connection openMigrated() throws Exception {
        database = TestDatabase.create();
        Flyway.configure().dataSource(database.url(), null, null)
                .locations("filesystem:../cloud-sync/src/main/resources/db/migration").load().migrate();
        return database.connect();
    }

    @Override
    OutboxStore store() {
        return OutboxStore.postgres();
    }

    @Override
    void dropDatabase() {
        database.close();
    }
}
