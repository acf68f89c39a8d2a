package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.protocol.DriftRecorded;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * The drift edges record (clamps, disagreements, recounts) as the fleet API lists it: newest first, by lot
 * and level, and only a tenant's own lots.
 */
class DriftApiTest extends SharedGatewayTest {
    private static String tenantA;

    @BeforeAll
    static void start() throws Exception {
        Events a1 = new Events("A", "L1");
        Events a2 = new Events("A", "L2");
        Events b1 = new Events("B", "L1");
        g.publishFromEdge(a1.next(new DriftRecorded(VehicleType.STANDARD, "CLAMPED_HIGH", 40, 41)));
        g.publishFromEdge(a2.next(new DriftRecorded(VehicleType.EV, "MANUAL_RECOUNT", 3, 5)));
        g.publishFromEdge(b1.next(new DriftRecorded(VehicleType.STANDARD, "SENSOR_SESSION_MISMATCH", 0, 1)));
        g.publishFromEdge(a1.next(new DriftRecorded(VehicleType.STANDARD, "CLAMPED_LOW", 0, -1)));
        g.awaitApplied(4);
        tenantA = g.tenantToken("vera", Role.VIEWER, "op-a", "A");
    }

    @Test
    void driftIsListedNewestFirstByLotAndLevelAndOnlyForTheCallersLots() throws Exception {
        assertThat(reasons(get("/api/v1/drift", platform)).size(), is(4));
        assertThat(reasons(get("/api/v1/drift?lot=A&level=L1", platform)), is(List.of("CLAMPED_LOW", "CLAMPED_HIGH")));
        assertThat(reasons(get("/api/v1/drift?limit=1&lot=A", platform)).size(), is(1));

        JsonNode own = get("/api/v1/drift", tenantA);
        assertThat(own.size(), is(3));
        own.forEach(d -> assertThat(d.get("lotId").asText(), is("A")));
        assertThat(get("/api/v1/drift?lot=B", tenantA).size(), is(0));

        JsonNode recount = get("/api/v1/drift?lot=A&level=L2", tenantA).get(0);
        assertThat(recount.get("vehicleType").asText(), is("EV"));
        assertThat(recount.get("expected").asInt(), is(3));
        assertThat(recount.get("observed").asInt(), is(5));
        assertThat(recount.get("edgeId").asText(), is("A.L2"));

        TestHttp.Response bad = g.request("GET", "/api/v1/drift?limit=0", platform, null);
        assertThat(bad.status(), is(400));
        TestHttp.Response badFrom = g.request("GET", "/api/v1/drift?from=yesterday", platform, null);
        assertThat(badFrom.status(), is(400));
        assertThat(g.request("GET", "/api/v1/drift", null, null).status(), is(401));
    }

    private static JsonNode get(String path, String token) throws Exception {
        return g.getOk(path, token);
    }

    private static List<String> reasons(JsonNode list) {
        return GatewayFixture.field(list, "reason");
    }
}
