package org.openparking.cloud.auth;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openparking.testing.TestHttp;

/** A failing query answers the stable 503 code with a fixed message; PostgreSQL's own text stays in the log. */
class DatabaseErrorTextTest {

    @Test
    void aDatabaseErrorDoesNotReachTheCaller() throws Exception {
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults())) {
            String admin = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
            assertThat(g.request("GET", "/api/v1/lots", admin, null).status(), is(200));
            // The lot list reads this table: without it every such query fails in PostgreSQL.
            try (Connection c = g.database.connect(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE levels RENAME TO levels_hidden");
            }
            // The lot list is answered from memory for up to live.view-max-age: the next rendering fails.
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    g.request("GET", "/api/v1/lots", admin, null).status() != 200);
            TestHttp.Response r = g.request("GET", "/api/v1/lots", admin, null);
            assertThat(r.text(), r.status(), is(503));
            assertThat(r.text(), r.error(), is("DATABASE_UNAVAILABLE"));
            for (String leak : new String[] {"ERROR:", "SQL state", "PostgreSQL", "relation", "levels",
                    "does not exist", "Position"}) {
                assertThat(r.text(), r.text().toLowerCase(java.util.Locale.ROOT), not(containsString(leak.toLowerCase(java.util.Locale.ROOT))));
            }
        }
    }
}
