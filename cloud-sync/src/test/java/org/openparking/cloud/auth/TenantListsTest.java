package org.openparking.cloud.auth;

import org.openparking.testing.TestHttp;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.protocol.Json;
import org.openparking.protocol.PaymentResult;

/**
 * Every list endpoint filters by the caller's lots itself: a tenant's list holds no row of another
 * tenant's lot, on every GET of the access policy that lists (new list endpoints are checked too), while
 * the platform sees those rows, so a missing filter cannot pass unnoticed. And user creation stores an
 * operator id verbatim whatever characters it has, in the row, the answer and the audit detail.
 */
class TenantListsTest {
    private static GatewayFixture g;
    private static String platform;
    private static String tenantA;

    @BeforeAll
    static void start() throws Exception {
        g = GatewayFixture.start(AuthSettings.defaults());
        for (Events e : List.of(new Events("A", "L1"), new Events("B", "L1"))) {
            String session = "s-" + e.lotId();
            String payment = "p-" + e.lotId();
            g.publishFromEdge(e.next(Events.availability(10, 1)));
            g.publishFromEdge(e.next(Events.opened(session, "PL-" + e.lotId())));
            g.publishFromEdge(e.next(Events.paymentRequested(payment, session, 300, true, "PL-" + e.lotId())));
            g.publishFromEdge(e.fromWorker(Events.paymentResult(payment, session, 300,
                    PaymentResult.Outcome.DECLINED, true)));
        }
        g.awaitApplied(8);
        // Audited with the lot: the assignments themselves and a tariff of each lot.
        g.assignLot("op-a", "A");
        g.assignLot("op-b", "B");
        platform = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
        tenantA = g.app.gateway().tokens().issue("ada", Role.ADMIN, "op-a").token();
        for (String lot : List.of("A", "B")) {
            TestHttp.Response put = g.request("PUT", "/api/v1/lots/" + lot + "/tariff", platform,
                    "{\"version\":1,\"currency\":\"EUR\",\"graceMinutes\":0,\"periodMinutes\":60,"
                            + "\"pricePerPeriod\":100,\"dailyCap\":0,\"lostTicketFee\":0}");
            assertThat(put.text(), put.status(), is(200));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (g != null) {
            g.close();
        }
    }

    /** Every GET of the policy without path parameters that answers a JSON array. */
    private static List<String> listPaths() {
        List<String> paths = new ArrayList<>();
        for (AccessPolicy.Rule rule : AccessPolicy.RULES) {
            if (rule.method().equals("GET") && !rule.path().contains("{") && !rule.isPublic()
                    && rule.scope() != AccessPolicy.Scope.PLATFORM
                    && !rule.path().equals(AuthFilter.STREAM_PATH)) {
                paths.add(rule.path());
            }
        }
        return paths;
    }

    private static Set<String> lotsIn(JsonNode list) {
        Set<String> lots = new TreeSet<>();
        list.forEach(row -> {
            if (row.has("lotId")) {
                lots.add(row.get("lotId").asText());
            }
        });
        return lots;
    }

    @Test
    void aTenantsListsHoldOnlyItsOwnLotsOnEveryListEndpoint() throws Exception {
        List<String> platformSeesB = new ArrayList<>();
        for (String path : listPaths()) {
            JsonNode all = g.getOk("/api/v1" + path, platform);
            if (!all.isArray()) {
                continue;
            }
            if (lotsIn(all).contains("B")) {
                platformSeesB.add(path);
            }
            JsonNode mine = g.getOk("/api/v1" + path, tenantA);
            assertThat(path + " for a tenant of A: " + mine, lotsIn(mine), everyItem(is("A")));
            // Asking for the other lot by name does not get round the filter.
            JsonNode other = g.getOk("/api/v1" + path + "?lot=B", tenantA);
            assertThat(path + "?lot=B for a tenant of A: " + other, lotsIn(other), everyItem(is("A")));
        }
        // The other lot's rows exist where the check matters, so a missing filter would have shown them.
        assertThat(platformSeesB, hasItems("/lots", "/edges", "/sessions", "/payments", "/unable-to-collect",
                "/audit"));
    }

    @Test
    void anOperatorIdWithQuotesAndBackslashesIsStoredVerbatim() throws Exception {
        String operator = "op \"quoted\" \\ back";
        String body = Json.mapper().writeValueAsString(java.util.Map.of("username", "quoted-viewer",
                "password", "quoted-viewer-password", "role", "viewer", "operator", operator));
        TestHttp.Response created = g.request("POST", "/api/v1/users", platform, body);
        assertThat(created.text(), created.status(), is(201));
        assertThat(created.body().path("operator").asText(), is(operator));
        assertThat(g.app.gateway().users().find("quoted-viewer").orElseThrow().operatorId(), is(operator));

        JsonNode audit = g.getOk("/api/v1/audit?action=user.create", platform);
        JsonNode detail = Json.mapper().readTree(audit.get(0).path("detail").asText());
        assertThat(detail.path("operator").asText(), is(operator));
        assertThat(detail.path("role").asText(), is("viewer"));

        String token = g.login("quoted-viewer", "quoted-viewer-password");
        assertThat(g.getOk("/api/v1/auth/me", token).path("operator").asText(), is(operator));
    }
}
