package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.GetResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.TrustOperatorKey;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestHttp;

/** Limits, headers, tenant isolation, the audit log and the live stream, against one real server. */
class GatewaySecurityTest {
    private static GatewayFixture g;
    private static String platformAdmin;
    private static final Events A = new Events("A", "L1");
    private static final Events B = new Events("B", "L1");

    @BeforeAll
    static void start() throws Exception {
        g = GatewayFixture.start(AuthSettings.defaults().withLimits(5, 0.5, 30, 4096));
        platformAdmin = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
        for (Events e : List.of(A, B)) {
            g.publishFromEdge(e.next(Events.availability(10, 1)));
            g.publishFromEdge(e.next(Events.opened("s-" + e.lotId(), "PL-" + e.lotId())));
        }
        g.awaitApplied(4);
        for (Events e : List.of(A, B)) {
            // The events already made the edge known: registering it again is a 200.
            assertThat(g.request("POST", "/api/v1/edges", platformAdmin,
                    "{\"lotId\":\"" + e.lotId() + "\",\"levelId\":\"L1\"}").status(), is(200));
        }
        g.assignLot("op-a", "A");
        g.assignLot("op-b", "B");
    }

    @AfterAll
    static void stop() throws Exception {
        if (g != null) {
            g.close();
        }
    }

    private static String token(String user, Role role, String operator) {
        return g.app.gateway().tokens().issue(user, role, operator).token();
    }

    @Test
    void loginIsLimitedPerUsernameAndAddress() throws Exception {
        g.createUser("limited", "limited-password", Role.VIEWER, "op-a");
        for (int i = 0; i < 5; i++) {
            TestHttp.Response r = g.request("POST", "/api/v1/auth/login", null,
                    "{\"username\":\"limited\",\"password\":\"wrong-password-" + i + "\"}");
            assertThat(r.status(), is(401));
            assertThat(r.error(), is("BAD_CREDENTIALS"));
        }
        TestHttp.Response limited = g.request("POST", "/api/v1/auth/login", null,
                "{\"username\":\"limited\",\"password\":\"limited-password\"}");
        assertThat(limited.status(), is(429));
        assertThat(limited.error(), is("RATE_LIMITED"));
        assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow()) >= 1, is(true));
        // Another user from the same address is not affected.
        g.createUser("other-user", "other-password", Role.VIEWER, "op-a");
        assertThat(g.login("other-user", "other-password").isEmpty(), is(false));
    }

    @Test
    void theApiIsLimitedPerToken() throws Exception {
        String t = token("busy", Role.VIEWER, "op-a");
        // A burst of 30, refilled at 0.5/s: on a loaded machine the burst itself takes seconds, so the bound is
        // 30 plus what the elapsed time refilled, never a fixed count (that failed at load 25).
        long start = System.nanoTime();
        int served = 0;
        TestHttp.Response r = g.request("GET", "/api/v1/auth/me", t, null);
        while (r.status() == 200 && served < 500) {
            served++;
            r = g.request("GET", "/api/v1/auth/me", t, null);
        }
        double elapsedSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(served >= 30, is(true));
        assertThat("served " + served + " in " + elapsedSeconds + " s",
                served <= 30 + (int) Math.ceil(elapsedSeconds * 0.5), is(true));
        assertThat(r.status(), is(429));
        assertThat(r.error(), is("RATE_LIMITED"));
        assertThat(r.headers().firstValue("Retry-After").isPresent(), is(true));
        // A different token has its own bucket.
        assertThat(g.request("GET", "/api/v1/auth/me", token("calm", Role.VIEWER, "op-a"), null).status(), is(200));
    }

    @Test
    void oversizedBodiesGet413Json() throws Exception {
        String big = "{\"reason\":\"" + "x".repeat(5000) + "\"}";
        TestHttp.Response r = g.request("POST", "/api/v1/lanes/A/L1/in-1/open", token("big", Role.ADMIN, null),
                big);
        assertThat(r.status(), is(413));
        assertThat(r.error(), is("BODY_TOO_LARGE"));
        TestHttp.Response login = g.request("POST", "/api/v1/auth/login", null, big);
        assertThat(login.status(), is(413));
    }

    @Test
    void anotherTenantsSessionReadsExactlyAsOneThatDoesNotExist() throws Exception {
        String opB = token("probe-b", Role.ADMIN, "op-b");
        for (String method : List.of("GET", "POST")) {
            String suffix = method.equals("POST") ? "/refund" : "";
            String body = method.equals("POST") ? "{\"reason\":\"probe\"}" : null;
            TestHttp.Response other = g.request(method, "/api/v1/sessions/s-A" + suffix, opB, body);
            TestHttp.Response none = g.request(method, "/api/v1/sessions/no-such-session" + suffix, opB, body);
            assertThat(other.text(), other.status(), is(404));
            assertThat(none.text(), none.status(), is(other.status()));
            assertThat(none.error(), is(other.error()));
            assertThat(none.body().path("message").asText(), is(other.body().path("message").asText()));
        }
        // Its own session is still there for it.
        assertThat(g.request("GET", "/api/v1/sessions/s-B", opB, null).status(), is(200));
    }

    @Test
    void refusalsBeforeRoutingCarryTheSameJsonBody() {
        int port = java.net.URI.create(g.baseUrl()).getPort();
        // Over the server's own limit (4x the API's), Helidon refuses from the Content-Length, before any filter.
        TestHttp.RawResponse tooLarge = TestHttp.raw(port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (4096 * 4 + 1) + "\r\n\r\n{");
        assertThat(tooLarge.head(), tooLarge.status(), is(413));
        assertThat(tooLarge.head(), tooLarge.error(), is("PAYLOAD_TOO_LARGE"));
        TestHttp.RawResponse garbage = TestHttp.raw(port, "NOT HTTP AT ALL\r\n\r\n");
        assertThat(garbage.head(), garbage.status(), is(400));
        assertThat(garbage.head(), garbage.error(), is("BAD_REQUEST"));
    }

    @Test
    void everyResponseCarriesSecurityHeaders() throws Exception {
        for (TestHttp.Response r : List.of(g.request("GET", "/portal/", null, null),
                g.request("GET", "/portal/app.js", null, null), g.request("GET", "/api/v1/lots", null, null))) {
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp, containsString("script-src 'self'"));
            assertThat(csp, not(containsString("unsafe-inline")));
            assertThat(r.headers().firstValue("X-Frame-Options").orElseThrow(), is("DENY"));
            assertThat(r.headers().firstValue("X-Content-Type-Options").orElseThrow(), is("nosniff"));
            assertThat(r.headers().firstValue("Referrer-Policy").orElseThrow(), is("no-referrer"));
        }
        TestHttp.Response page = g.request("GET", "/portal/", null, null);
        assertThat(page.status(), is(200));
        assertThat(page.text(), containsString("<script type=\"module\" src=\"app.js\">"));
        assertThat(page.text(), not(containsString("<script>")));
        TestHttp.Response escape = g.request("GET", "/portal/../application.yaml", null, null);
        assertThat(escape.status(), not(is(200)));
        assertThat(escape.text(), not(containsString("db:")));
    }

    @Test
    void aTenantSeesOnlyItsOwnLotsAndNothingOfOthers() throws Exception {
        String a = token("ana", Role.OPERATOR, "op-a");
        assertThat(lotIds(g.request("GET", "/api/v1/lots", a, null).body()), is(List.of("A")));
        assertThat(lotIds(g.request("GET", "/api/v1/edges", a, null).body()), is(List.of("A")));
        assertThat(lotIds(g.request("GET", "/api/v1/sessions", a, null).body()), is(List.of("A")));
        assertThat(lotIds(g.request("GET", "/api/v1/sessions?lot=B", a, null).body()), is(List.of()));
        assertThat(lotIds(g.request("GET", "/api/v1/lots", platformAdmin, null).body()), is(List.of("A", "B")));
        TestHttp.Response otherSession = g.request("GET", "/api/v1/sessions/s-B", a, null);
        TestHttp.Response noSession = g.request("GET", "/api/v1/sessions/s-none", a, null);
        assertThat(otherSession.status(), is(404));
        assertThat(noSession.status(), is(404));
        assertThat(g.request("GET", "/api/v1/lots/B/levels", a, null).status(), is(404));
        assertThat(g.request("POST", "/api/v1/lanes/B/L1/in-1/open", a, "{\"reason\":\"x\"}").status(), is(404));
        assertThat(g.request("PUT", "/api/v1/lots/B/tariff", a, "{}").status(), is(404));
        // A tenant admin cannot act platform-wide.
        assertThat(g.request("POST", "/api/v1/auth/keys/push", token("adm-a", Role.ADMIN, "op-a"), null).status(),
                is(403));
    }

    @Test
    void operatorActionsAreAuditedInTheirTransactionAndTheLogIsAppendOnly() throws Exception {
        String op = token("olga", Role.OPERATOR, "op-a");
        assertThat(g.http().post(g.baseUrl() + "/api/v1/lanes/A/L1/in-1/open",
                "{\"reason\":\"driver stuck, ticket jammed\"}",
                "Authorization", "Bearer " + op, "X-Request-Id", "req-open-1").status(), is(202));
        // No reason: refused, and nothing audited.
        assertThat(g.request("POST", "/api/v1/lanes/A/L1/in-1/open", op, "{}").status(), is(400));
        JsonNode rows = g.request("GET", "/api/v1/audit?action=barrier.open", op, null).body();
        assertThat(rows.size(), is(1));
        JsonNode row = rows.get(0);
        assertThat(row.get("actor").asText(), is("olga"));
        assertThat(row.get("role").asText(), is("operator"));
        assertThat(row.get("target").asText(), is("A.L1/in-1"));
        assertThat(row.get("reason").asText(), is("driver stuck, ticket jammed"));
        assertThat(row.get("requestId").asText(), is("req-open-1"));

        assertThat(g.request("PUT", "/api/v1/lots/A/tariff", op, "{\"version\":7,\"currency\":\"EUR\","
                + "\"graceMinutes\":10,\"periodMinutes\":60,\"pricePerPeriod\":250,\"dailyCap\":2000,"
                + "\"lostTicketFee\":3000}").status(), is(200));
        assertThat(actions(g.request("GET", "/api/v1/audit", op, null).body()), hasItem("tariff.update"));
        // Another tenant's operator does not see lot A's audit rows.
        JsonNode ofB = g.request("GET", "/api/v1/audit", token("bob", Role.OPERATOR, "op-b"), null).body();
        ofB.forEach(n -> assertThat(n.get("lotId").asText(), is("B")));

        try (Connection c = DriverManager.getConnection(g.database.url()); Statement s = c.createStatement()) {
            assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE audit_log SET reason = 'nothing'"));
            assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM audit_log"));
            assertThrows(SQLException.class, () -> s.executeUpdate("TRUNCATE audit_log"));
        }
    }

    @Test
    void userChangesAndTheKeyPushAreAuditedAndTheKeyReachesEveryEdge() throws Exception {
        assertThat(g.request("POST", "/api/v1/users", platformAdmin, "{\"username\":\"new-viewer\","
                + "\"password\":\"new-viewer-password\",\"role\":\"viewer\",\"operator\":\"op-b\"}").status(), is(201));
        TestHttp.Response pushed = g.request("POST", "/api/v1/auth/keys/push", platformAdmin, null);
        assertThat(pushed.status(), is(202));
        assertThat(pushed.body().get("edgeIds").size(), is(2));
        List<String> actions = actions(g.request("GET", "/api/v1/audit", platformAdmin, null).body());
        assertThat(actions, hasItem("user.create"));
        assertThat(actions, hasItem("key.push"));
        String jwks = g.request("GET", "/api/v1/auth/jwks", null, null).body().get("keys").get(0).toString();
        GetResponse got = null;
        for (GetResponse r = g.edge.basicGet(Topology.edgeQueue("B.L1"), true); r != null;
             r = g.edge.basicGet(Topology.edgeQueue("B.L1"), true)) {
            if (MessageCodec.decode(r.getBody()).payload() instanceof TrustOperatorKey) {
                got = r;
            }
        }
        assertThat(got != null, is(true));
        JsonNode pushedKey = org.openparking.protocol.Json.mapper().readTree(
                ((TrustOperatorKey) MessageCodec.decode(got.getBody()).payload()).jwk());
        assertThat(pushedKey.get("x").asText(), is(org.openparking.protocol.Json.mapper().readTree(jwks)
                .get("x").asText()));
    }

    @Test
    void theStreamPushesLevelChangesOnlyForTheCallersLots() throws Exception {
        String a = token("sse", Role.VIEWER, "op-a");
        TestHttp.Streaming r = g.http().stream(g.baseUrl() + "/api/v1/stream?access_token=" + a);
        assertThat(r.status(), is(200));
        Iterator<String> lines = r.lines().iterator();
        g.publishFromEdge(B.next(Events.availability(55, 2)));
        g.publishFromEdge(A.next(Events.availability(42, 2)));
        String data = CompletableFuture.supplyAsync(() -> {
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.startsWith("data:") && line.contains("\"occupied\":42")) {
                    return line;
                }
                if (line.startsWith("data:") && line.contains("\"lotId\":\"B\"")) {
                    return "LEAK " + line;
                }
            }
            return "ended";
        }).get(30, TimeUnit.SECONDS);
        r.close();
        assertThat(data, containsString("\"lotId\":\"A\""));
        assertThat(data, containsString("\"free\":58"));
        // Without a token there is no stream.
        assertThat(g.request("GET", "/api/v1/stream", null, null).status(), is(401));
    }

    private static List<String> lotIds(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.forEach(n -> ids.add(n.get("lotId").asText()));
        return ids.stream().distinct().sorted().toList();
    }

    private static List<String> actions(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.get("action").asText()));
        return out;
    }
}
