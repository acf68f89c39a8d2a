package org.openparking.cloud.auth;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.DriftRecorded;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * The API's remaining reads under pool exhaustion, and an operator token's lots held in memory: while every
 * pooled connection is taken (longer than {@code db.pool-timeout}), {@code /edges}, drift, the sessions list and a
 * session (an operator's, whose lot is checked) queue and are answered once connections come back, never 503; an
 * operator's lots are read once and then held until some instance changes them, which every instance hears.
 */
class BusyPoolReadsTest {
    private static GatewayFixture g;
    private static String admin;
    private static String operator;
    private static final Events BUSY = new Events("busy", "L1");
    private static final Events OTHER = new Events("other", "L1");

    @BeforeAll
    static void start() throws Exception {
        g = GatewayFixture.start(AuthSettings.defaults());
        g.publishFromEdge(BUSY.next(Events.availability(3, 1)));
        g.publishFromEdge(BUSY.next(Events.opened("busy-s1", "B-1")));
        g.publishFromEdge(BUSY.next(new DriftRecorded(VehicleType.STANDARD, "CLAMPED_HIGH", 40, 41)));
        g.publishFromEdge(OTHER.next(Events.availability(5, 1)));
        g.publishFromEdge(OTHER.next(Events.opened("other-s0", "O-1")));
        g.awaitApplied(5);
        g.assignLot("op-busy", "busy");
        await().atMost(Duration.ofSeconds(20)).until(() -> g.app.gateway().feed().isLive());
        admin = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
        operator = g.app.gateway().tokens().issue("olga", Role.VIEWER, "op-busy").token();
    }

    @AfterAll
    static void stop() throws Exception {
        if (g != null) {
            g.close();
        }
    }

    private static TestHttp.Response get(String path, String token) {
        return g.http().get(g.baseUrl() + path, "Authorization", "Bearer " + token);
    }

    @Test
    void readsQueueWhileEveryPooledConnectionIsTakenInsteadOfFailing() throws Exception {
        assertThat(get("/api/v1/lots", operator).status(), is(200));
        Map<String, String> paths = new TreeMap<>(Map.of(
                "admin /edges", "/api/v1/edges",
                "admin /drift", "/api/v1/drift",
                "admin /sessions", "/api/v1/sessions",
                "operator /edges", "/api/v1/edges",
                "operator /sessions/busy-s1", "/api/v1/sessions/busy-s1",
                "operator /lots/busy/levels", "/api/v1/lots/busy/levels"));
        List<Connection> taken = new ArrayList<>();
        Map<String, Future<TestHttp.Response>> answers = new TreeMap<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                // Every connection of the pool (8), held past its 5 s pool timeout.
                for (int i = 0; i < 8; i++) {
                    taken.add(g.app.dataSource().getConnection());
                }
                paths.forEach((name, path) -> answers.put(name, clients.submit(() ->
                        get(path, name.startsWith("admin") ? admin : operator))));
                // The pool itself is exhausted: a plain request for a connection gives up after its timeout.
                assertThrows(SQLTransientConnectionException.class, () -> g.app.dataSource().getConnection().close());
                Thread.sleep(1_000);
            } finally {
                for (Connection c : taken) {
                    c.close();
                }
            }
            for (var a : answers.entrySet()) {
                TestHttp.Response r = a.getValue().get();
                assertThat(a.getKey() + ": " + r.text(), r.status(), is(200));
            }
        }
        assertThat(get("/api/v1/sessions/busy-s1", operator).body().get("session").get("sessionId").asText(),
                is("busy-s1"));
    }

    @Test
    void anOperatorsLotsAreReadOnceAndHeldUntilAnInstanceChangesThem() throws Exception {
        OperatorLots lots = g.app.gateway().operatorLots();
        assertThat(get("/api/v1/lots", operator).status(), is(200));
        long reads = lots.reads();
        for (int i = 0; i < 10; i++) {
            assertThat(get("/api/v1/lots/busy/levels", operator).status(), is(200));
            assertThat(get("/api/v1/lots/other/levels", operator).status(), is(404));
        }
        assertThat(lots.reads(), is(reads));

        // Another instance (or psql) gives the operator a lot: the announcement drops what is held.
        try (Connection c = g.database.connect()) {
            Jdbc.update(c, "INSERT INTO operator_lots (operator_id, lot_id) VALUES ('op-busy', 'other')");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/v1/lots/other/levels", operator).status() == 200);
        assertThat(GatewayFixture.field(get("/api/v1/lots", operator).body(), "lotId"), contains("busy", "other"));

        try (Connection c = g.database.connect()) {
            Jdbc.update(c, "DELETE FROM operator_lots WHERE operator_id = 'op-busy' AND lot_id = 'other'");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/v1/lots/other/levels", operator).status() == 404);
        assertThat(get("/api/v1/sessions/other-s0", operator).status(), is(404));

        // Held lots do not outlive the token: a revoked one is refused before its lots are looked at.
        String leaving = g.app.gateway().tokens().issue("leaving", Role.VIEWER, "op-busy").token();
        assertThat(get("/api/v1/lots/busy/levels", leaving).status(), is(200));
        assertThat(g.request("POST", "/api/v1/auth/logout", leaving, "{}").status(), is(200));
        assertThat(get("/api/v1/lots/busy/levels", leaving).status(), is(401));
    }
}
