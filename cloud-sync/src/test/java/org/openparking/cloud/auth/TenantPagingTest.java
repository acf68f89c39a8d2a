package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.VehicleType;

/**
 * A tenant's page of a list is {@code limit} rows of its own lots whenever it has that many, even
 * when other tenants' rows are newer: the lot scope is part of the query, not a filter on its result.
 */
class TenantPagingTest extends SharedGatewayTest {
    private static String tenantA;

    @BeforeAll
    static void start() throws Exception {
        Events a = new Events("A", "L1");
        Events b = new Events("B", "L1");
        // Lot A's rows are older than lot B's, so a newest-first page of every lot is all B.
        publish(a, "x", 3, 0);
        publish(b, "b", 5, 100);
        g.awaitApplied(3 * 3 + 5 * 3);
        tenantA = g.tenantToken("ana", Role.OPERATOR, "op-a", "A");
    }

    /** {@code n} sessions, each with a deferred payment that came back declined (so also a ledger row). */
    private static void publish(Events edge, String prefix, int n, int minutes) throws Exception {
        for (int i = 0; i < n; i++) {
            String session = prefix + "-session-" + i;
            String payment = prefix + "-payment-" + i;
            g.publishFromEdge(edge.next(new SessionOpened(session, "in-1", "PL" + prefix.toUpperCase() + i,
                    VehicleType.STANDARD, Events.T0.plusSeconds(60L * (minutes + i)), 1)));
            g.publishFromEdge(edge.next(Events.paymentRequested(payment, session, 300, true, "PL" + i)));
            g.publishFromEdge(edge.fromWorker(Events.paymentResult(payment, session, 300,
                    PaymentResult.Outcome.DECLINED, true)));
        }
    }

    @Test
    void aTenantsPageIsFullOfItsOwnRows() throws Exception {
        for (String list : List.of("sessions", "payments", "unable-to-collect")) {
            assertThat(list + " of every lot, newest first", lotIds(get("/api/v1/" + list + "?limit=2", platform)),
                    is(List.of("B", "B")));
            assertThat(list + " of tenant A", lotIds(get("/api/v1/" + list + "?limit=2", tenantA)),
                    is(List.of("A", "A")));
            assertThat(list + " of tenant A, all", lotIds(get("/api/v1/" + list, tenantA)), is(List.of("A", "A", "A")));
            assertThat(list + " of tenant A asking for lot B", lotIds(get("/api/v1/" + list + "?lot=B", tenantA)),
                    is(List.of()));
        }
        // The newest of A's sessions first.
        assertThat(get("/api/v1/sessions?limit=1", tenantA).get(0).get("sessionId").asText(), is("x-session-2"));
    }

    private static JsonNode get(String path, String token) throws Exception {
        return g.getOk(path, token);
    }

    private static List<String> lotIds(JsonNode list) {
        return GatewayFixture.field(list, "lotId");
    }
}
