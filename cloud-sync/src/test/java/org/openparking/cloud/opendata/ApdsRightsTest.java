package org.openparking.cloud.opendata;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * Permits and reservations as APDS AssignedRights behind the gateway, against a real cloud-sync on PostgreSQL whose
 * rules were made through the lane-rules API: the answer validates against the schemas converted from
 * parkingdata/spec (a broken document does not), versions rise with each change, and another tenant's operator
 * sees nothing of the lot's rights, judged by rows that are in the database.
 */
class ApdsRightsTest extends TwoTenantsTest {
    private static Instant from;

    @BeforeAll
    static void rules() throws Exception {
        from = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        created(f.post("/api/v1/lots/A/pools", olga, "{\"poolId\":\"acme\",\"max\":2}"));
        created(f.post("/api/v1/lots/A/permits", olga, "{\"permitId\":\"p1\",\"plate\":\"DD-AB-101\","
                + "\"poolId\":\"acme\",\"validFrom\":\"" + from + "\",\"validUntil\":\"" + from.plus(30,
                ChronoUnit.DAYS) + "\"}"));
        created(f.post("/api/v1/lots/A/permits", olga, "{\"permitId\":\"p2\",\"card\":\"CARD-77\"}"));
        created(f.post("/api/v1/lots/A/permits/p2/suspend", olga, "{\"suspended\":true,\"reason\":\"unpaid\"}"));
        created(f.post("/api/v1/lots/A/reservations", olga, "{\"reservationId\":\"r1\",\"plate\":\"DD-R-1\","
                + "\"from\":\"" + from + "\",\"until\":\"" + from.plus(2, ChronoUnit.HOURS) + "\",\"prepaid\":true}"));
        created(f.post("/api/v1/lots/B/permits", bob, "{\"permitId\":\"p-b\",\"plate\":\"B-XY-9\"}"));
        // Sessions as edges report them: one entered with permit p1, one with reservation r1, one a walk-in.
        Instant entry = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        f.event("A", "L1", new SessionOpened("s-permit", "in-1", "DDAB101", VehicleType.STANDARD, entry, 1,
                "permit:p1"));
        f.event("A", "L1", new SessionOpened("s-res", "in-1", null, VehicleType.STANDARD, entry, 1,
                "reservation:r1"));
        f.event("A", "L1", new SessionOpened("s-walk", "in-1", "WALK1", VehicleType.STANDARD, entry, 1));
    }

    private static void created(TestHttp.Response r) {
        assertThat(r.toString(), r.status() == 200 || r.status() == 201, is(true));
    }

    private static JsonNode right(JsonNode list, String id) {
        for (JsonNode r : list.get("data")) {
            if (r.get("id").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no right " + id + " in " + list);
    }

    @Test
    void permitsAndReservationsAreAssignedRightsThatValidateAgainstTheSpec() throws Exception {
        TestHttp.Response r = get("/api/v1/apds/lots/A/rights", olga);
        assertThat(r.toString(), r.status(), is(200));
        Files.createDirectories(SAMPLES);
        Files.writeString(SAMPLES.resolve("apds-rights-A.json"), r.text());
        JsonNode list = r.body();
        assertThat(Specs.jsonErrors("apds/AssignedRightList.json", list), is(empty()));
        List<String> ids = new ArrayList<>();
        list.get("data").forEach(x -> ids.add(x.get("id").asText()));
        assertThat(ids, containsInAnyOrder("A:permit:p1", "A:permit:p2", "A:reservation:r1"));

        JsonNode p1 = right(list, "A:permit:p1");
        assertThat(p1.get("version").asInt(), is(1));
        assertThat(p1.at("/rightSpecification/id").asText(), is("A:pool:acme"));
        assertThat(p1.get("issueMethod").asText(), is("permit"));
        assertThat(p1.at("/rightHolder/credentials/0/identifier/className").asText(), is("LicensePlate"));
        assertThat(p1.at("/rightHolder/credentials/0/identifier/id").asText(), is("DDAB101"));
        assertThat(Instant.parse(p1.at("/plannedUses/0/startTime").asText()), is(from));
        assertThat(Instant.parse(p1.get("expiry").asText()), is(from.plus(30, ChronoUnit.DAYS)));
        JsonNode p2 = right(list, "A:permit:p2");
        assertThat("created, then suspended: version 2", p2.get("version").asInt(), is(2));
        assertThat(p2.at("/rightHolder/credentials/0/identifier/className").asText(), is("AccessCard"));
        JsonNode r1 = right(list, "A:reservation:r1");
        assertThat(r1.at("/rightSpecification/id").asText(), is("A:prepaid-reservation"));
        assertThat(r1.get("issueMethod").asText(), is("electronic"));
        assertThat(Instant.parse(r1.at("/plannedUses/0/endTime").asText()), is(from.plus(2, ChronoUnit.HOURS)));

        // A change is a new version of the same right (prepaid given: a field left out would keep its value).
        created(f.post("/api/v1/lots/A/reservations", olga, "{\"reservationId\":\"r1\",\"plate\":\"DD-R-1\","
                + "\"from\":\"" + from + "\",\"until\":\"" + from.plus(3, ChronoUnit.HOURS) + "\","
                + "\"prepaid\":false}"));
        JsonNode changed = right(get("/api/v1/apds/lots/A/rights", olga).body(), "A:reservation:r1");
        assertThat(changed.get("version").asInt(), is(2));
        assertThat(changed.at("/rightSpecification/id").asText(), is("A:reservation"));

        // The schemas bite: without its version, without a right holder, with an issue method APDS does not
        // list, or a planned use without its start, an AssignedRight is refused.
        ObjectNode noVersion = p1.deepCopy();
        noVersion.remove("version");
        assertThat(Specs.jsonErrors("apds/AssignedRight.json", noVersion), is(not(empty())));
        ObjectNode noHolder = p1.deepCopy();
        noHolder.remove("rightHolder");
        assertThat(Specs.jsonErrors("apds/AssignedRight.json", noHolder), is(not(empty())));
        ObjectNode badMethod = p1.deepCopy();
        badMethod.put("issueMethod", "carrierPigeon");
        assertThat(Specs.jsonErrors("apds/AssignedRight.json", badMethod), is(not(empty())));
        ObjectNode noStart = p1.deepCopy();
        ((ObjectNode) noStart.at("/plannedUses/0")).remove("startTime");
        assertThat(Specs.jsonErrors("apds/AssignedRight.json", noStart), is(not(empty())));
    }

    @Test
    void sessionsThatEnteredWithAPermitOrReservationReferenceTheirRight() throws Exception {
        JsonNode permit = get("/api/v1/apds/sessions/s-permit", olga).body();
        assertThat(Specs.jsonErrors("apds/Session.json", permit), is(empty()));
        assertThat(permit.at("/segments/0/assignedRight/className").asText(), is("AssignedRight"));
        assertThat(permit.at("/segments/0/assignedRight/id").asText(), is("A:permit:p1"));
        assertThat(permit.at("/segments/0/assignedRight/version").asInt(), is(1));
        JsonNode list = get("/api/v1/apds/sessions?lot=A", olga).body();
        assertThat(Specs.jsonErrors("apds/SessionList.json", list), is(empty()));
        String reservation = null;
        String walkIn = null;
        for (JsonNode s : list.get("data")) {
            if (s.get("id").asText().equals("s-res")) {
                reservation = s.at("/segments/0/assignedRight/id").asText();
            } else if (s.get("id").asText().equals("s-walk")) {
                walkIn = s.at("/segments/0/assignedRight/id").asText();
            }
        }
        assertThat(reservation, is("A:reservation:r1"));
        assertThat("a walk-in keeps its pay-on-exit right", walkIn, is("s-walk:pay-on-exit"));
        // The referenced right is one the rights export serves.
        List<String> ids = new ArrayList<>();
        get("/api/v1/apds/lots/A/rights", olga).body().get("data").forEach(x -> ids.add(x.get("id").asText()));
        assertThat(ids.contains("A:permit:p1") && ids.contains("A:reservation:r1"), is(true));
    }

    @Test
    void anotherTenantSeesNoneOfTheLotsRights() {
        TestHttp.Response foreign = get("/api/v1/apds/lots/A/rights", bob);
        assertThat(foreign.toString(), foreign.status(), is(404));
        assertThat(foreign.text().contains("DDAB101"), is(false));
        JsonNode own = get("/api/v1/apds/lots/B/rights", bob).body();
        List<String> ids = new ArrayList<>();
        own.get("data").forEach(x -> ids.add(x.get("id").asText()));
        assertThat(ids, containsInAnyOrder("B:permit:p-b"));
        assertThat(get("/api/v1/apds/lots/A/rights", "not-a-token").status(), is(401));
    }
}
