package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.helidon.health.HealthCheckResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openparking.testing.TestDatabase;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * cloud-sync's readiness check of PostgreSQL, against a real server refusing the connection (a database that
 * does not exist): DOWN with fixed text and the SQL state, never the driver's message with the database name.
 */
class ReadinessDetailTest {

    @Test
    void aFailedConnectionIsReportedWithoutTheDriversText() {
        try (TestDatabase db = TestDatabase.create()) {
            String missing = "no_such_db_" + UUID.randomUUID().toString().substring(0, 8);
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(db.url().replace(db.name(), missing));

            HealthCheckResponse r = Main.databaseHealth(ds);

            assertThat(r.status(), is(HealthCheckResponse.Status.DOWN));
            String details = r.details().toString();
            assertThat(details, containsString("database unavailable"));
            assertThat(details, containsString("3D000"));
            assertThat(details, not(containsString(missing)));
            assertThat(details, not(containsString("FATAL")));
        }
    }
}
