package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.cloud.audit.AuditService;
import org.openparking.cloud.http.CommandsService;
import org.openparking.cloud.http.FleetService;
import org.openparking.cloud.http.PaymentsService;
import org.openparking.cloud.http.SessionsService;
import org.openparking.cloud.portal.AvailabilityStream;
import org.openparking.testing.TestHttp;

/** Walks authz-matrix.csv against a real server, and checks that every route has a row. */
class AuthorizationMatrixTest {
    private static final List<String> ROLES = List.of("anonymous", "viewer", "operator", "admin");

    record Row(int line, String method, String route, String path, Map<String, String> expected, String body) {
    }

    static List<Row> matrix() throws Exception {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                AuthorizationMatrixTest.class.getResourceAsStream("/authz-matrix.csv"), StandardCharsets.UTF_8))) {
            int n = 0;
            boolean header = true;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (header) {
                    header = false;
                    continue;
                }
                String[] f = line.split(",", 8);
                Map<String, String> expected = new LinkedHashMap<>();
                for (int i = 0; i < ROLES.size(); i++) {
                    expected.put(ROLES.get(i), f[3 + i]);
                }
                rows.add(new Row(n, f[0], f[1], f[2], expected, f.length > 7 ? f[7] : ""));
            }
        }
        return rows;
    }

    @Test
    void everyRoleGetsExactlyTheMatrixStatusOnEveryEndpoint() throws Exception {
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults())) {
            for (String lot : List.of("A", "B")) {
                Events edge = new Events(lot, "L1");
                g.publishFromEdge(edge.next(Events.availability(10, 1)));
                g.publishFromEdge(edge.next(Events.opened("s-" + lot.toLowerCase(Locale.ROOT) + "1", "PL-" + lot)));
                g.request("POST", "/api/v1/edges", g.app.gateway().tokens().issue("setup", Role.ADMIN, null)
                        .token(), "{\"lotId\":\"" + lot + "\",\"levelId\":\"L1\"}");
            }
            g.awaitApplied(4);
            g.assignLot("op-a", "A");
            g.createUser("m-viewer", "viewer-password-1", Role.VIEWER, "op-a");
            g.createUser("m-operator", "operator-password-1", Role.OPERATOR, "op-a");
            g.createUser("m-admin", "admin-password-12", Role.ADMIN, null);
            g.createUser("matrix-login", "matrix-login-password", Role.VIEWER, "op-a");
            Map<String, String> tokens = new LinkedHashMap<>();
            tokens.put("anonymous", null);
            tokens.put("viewer", g.login("m-viewer", "viewer-password-1"));
            tokens.put("operator", g.login("m-operator", "operator-password-1"));
            tokens.put("admin", g.login("m-admin", "admin-password-12"));
            List<String> mismatches = new ArrayList<>();
            int n = 0;
            for (Row row : matrix()) {
                for (String role : ROLES) {
                    n++;
                    String body = row.body().replace("{n}", String.valueOf(n));
                    TestHttp.Response r = g.request(row.method(), "/api/v1" + row.path(), tokens.get(role),
                            body);
                    Set<String> allowed = Set.of(row.expected().get(role).split("\\|"));
                    if (!allowed.contains(String.valueOf(r.status()))) {
                        mismatches.add("line " + row.line() + " " + row.method() + " " + row.path() + " as " + role
                                + ": expected " + row.expected().get(role) + ", got " + r.status() + " " + r.text());
                    }
                    if (r.status() >= 400 && !r.text().isEmpty() && r.error() == null) {
                        mismatches.add("line " + row.line() + " as " + role + ": error without JSON code: " + r.text());
                    }
                }
            }
            assertThat(String.join("\n", mismatches), mismatches, is(empty()));
        }
    }

    @Test
    void everyRegisteredRouteAndPolicyRuleHasAMatrixRow() throws Exception {
        Set<String> inMatrix = new TreeSet<>();
        for (Row row : matrix()) {
            inMatrix.add(row.method() + " " + row.route());
        }
        Set<String> registered = new TreeSet<>();
        for (HttpService s : List.<HttpService>of(new FleetService(null, null, null), new SessionsService(null, null, null),
                new PaymentsService(null, null, null), new CommandsService(null),
                new org.openparking.cloud.http.HistoryService(null, null),
                new AuthService(null, null, null, null, null, null, null, null), new AuditService(null),
                new AvailabilityStream(null, null, null),
                new org.openparking.cloud.opendata.OpenDataAdminService(null),
                new org.openparking.cloud.opendata.PartnerService(null),
                new org.openparking.cloud.opendata.ApdsService(null, null, null),
                new org.openparking.cloud.lanes.LaneRulesService(null))) {
            s.routing(recorder(registered));
        }
        Set<String> missing = new TreeSet<>(registered);
        missing.removeAll(inMatrix);
        assertThat("routes without a matrix row", missing, is(empty()));
        Set<String> policy = new TreeSet<>();
        AccessPolicy.RULES.forEach(rule -> policy.add(rule.method() + " " + rule.path()));
        Set<String> noPolicy = new TreeSet<>(registered);
        noPolicy.removeAll(policy);
        assertThat("routes without an access rule", noPolicy, is(empty()));
        Set<String> stale = new TreeSet<>(policy);
        stale.removeAll(registered);
        assertThat("access rules of routes that do not exist", stale, is(empty()));
    }

    /** HttpRules that records "METHOD /path" of every route a service registers. */
    private static HttpRules recorder(Set<String> routes) {
        return (HttpRules) Proxy.newProxyInstance(HttpRules.class.getClassLoader(), new Class<?>[] {HttpRules.class},
                (proxy, method, args) -> {
                    if (args != null && args.length > 0 && args[0] instanceof String path
                            && Set.of("get", "post", "put", "delete", "patch", "head", "options")
                            .contains(method.getName())) {
                        routes.add(method.getName().toUpperCase(Locale.ROOT) + " " + path);
                    } else if (!method.getReturnType().equals(HttpRules.class)) {
                        throw new UnsupportedOperationException("record " + method.getName() + " too");
                    }
                    return proxy;
                });
    }
}
