package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.testing.TestDatabase;

/**
 * The PostgreSQL settings chosen for this workload are in force: JIT off on every pooled connection, and
 * the hot rows' tables with room for in-place updates and autovacuum after a fixed number of dead rows.
 */
class DatabaseTuningTest {
    @Test
    void pooledConnectionsRunWithoutJitAndTheHotTablesCarryTheirStorageSettings() throws Exception {
        try (TestDatabase database = TestDatabase.create();
             PooledDataSource pool = PooledDataSource.postgres(CloudSettings.defaults().db().with(database.url(), 2),
                     "tuning-test")) {
            pool.migrate(Main.MIGRATIONS);
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SHOW jit")) {
                    rs.next();
                    assertThat(rs.getString(1), is("off"));
                }
                for (String table : List.of("edges", "levels")) {
                    try (ResultSet rs = st.executeQuery(
                            "SELECT reloptions FROM pg_class WHERE relname = '" + table + "'")) {
                        rs.next();
                        List<String> options = Arrays.asList((String[]) rs.getArray(1).getArray());
                        assertThat(table, options, hasItems("fillfactor=50", "autovacuum_vacuum_scale_factor=0",
                                "autovacuum_vacuum_threshold=1000"));
                    }
                }
            }
        }
    }
}
