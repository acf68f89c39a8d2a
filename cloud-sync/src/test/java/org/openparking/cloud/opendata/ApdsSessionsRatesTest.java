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
import org.openparking.protocol.Json;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * APDS Sessions and Rates behind the gateway, against a real cloud-sync whose sessions came in through the
 * broker as edges send them: each document validates against the schemas converted from parkingdata/spec
 * (and a broken one does not), and a token of another tenant sees none of them, judged by what the API
 * answers for sessions and tariffs that are in the database.
 */
class ApdsSessionsRatesTest extends TwoTenantsTest {
    private static String vera;

    @BeforeAll
    static void sessionsAndTariffs() throws Exception {
        f.app.gateway().users().create("vera", "vera-password-1", org.openparking.cloud.auth.Role.VIEWER, "op-a",
                null);
        vera = f.login("vera", "vera-password-1");
        ObjectNode site = Json.mapper().createObjectNode();
        site.put("published", true).put("name", "Altmarkt").put("lat", 51.05).put("lon", 13.74)
                .put("timeZone", "Europe/Berlin");
        assertThat(f.put("/api/v1/lots/A/open-data", olga, site.toString()).status(), is(200));
        assertThat(f.put("/api/v1/lots/A/tariff", olga, """
                {"version":3,"currency":"EUR","graceMinutes":15,"periodMinutes":60,"pricePerPeriod":250,
                 "dailyCap":2000,"lostTicketFee":3000}""").status(), is(200));
        assertThat(f.put("/api/v1/lots/B/tariff", bob, """
                {"version":1,"currency":"JPY","graceMinutes":0,"periodMinutes":30,"pricePerPeriod":300,
                 "dailyCap":0,"lostTicketFee":5000}""").status(), is(200));
        Instant entry = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        f.event("A", "L1", new SessionOpened("s-a1", "in-1", "DD-AB-123", VehicleType.STANDARD, entry, 3));
        f.event("A", "L1", new SessionClosed("s-a1", "out-1", entry, entry.plus(90, ChronoUnit.MINUTES), 500,
                "EUR", PaymentStatus.PAID, "pay-1", 3, false));
        f.event("A", "L1", new SessionOpened("s-a2", "in-1", null, VehicleType.STANDARD, entry.plusSeconds(60), 3));
        f.event("B", "L1", new SessionOpened("s-b1", "in-1", "B-XY-999", VehicleType.STANDARD, entry, 1));
    }

    private static JsonNode sample(String path, String token, String file) throws Exception {
        TestHttp.Response r = get(path, token);
        assertThat(r.toString(), r.status(), is(200));
        Files.createDirectories(SAMPLES);
        Files.writeString(SAMPLES.resolve(file), r.text());
        return r.body();
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.get("data").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    @Test
    void sessionsAreApdsSessionsWithIdAndVersionAndValidateAgainstTheSpec() throws Exception {
        JsonNode list = sample("/api/v1/apds/sessions?lot=A", olga, "apds-sessions-A.json");
        assertThat(Specs.jsonErrors("apds/SessionList.json", list), is(empty()));
        assertThat(ids(list), containsInAnyOrder("s-a1", "s-a2"));

        JsonNode closed = get("/api/v1/apds/sessions/s-a1", olga).body();
        assertThat(Specs.jsonErrors("apds/Session.json", closed), is(empty()));
        assertThat(closed.get("version").asInt(), is(2));
        assertThat(closed.at("/identifiedCredentials/0/identifier/className").asText(), is("LicensePlate"));
        assertThat(closed.at("/identifiedCredentials/0/identifier/id").asText(), is("DD-AB-123"));
        assertThat(closed.at("/segments/0/validationType/0").asText(), is("licensePlate"));
        assertThat(Instant.parse(closed.get("actualEnd").asText()).isAfter(Instant.parse(
                closed.get("actualStart").asText())), is(true));
        assertThat(closed.at("/hierachyElement/className").asText(), is("Place"));
        assertThat(closed.at("/hierachyElement/id").asText(), is("A"));

        JsonNode open = get("/api/v1/apds/sessions/s-a2", olga).body();
        assertThat(Specs.jsonErrors("apds/Session.json", open), is(empty()));
        assertThat(open.get("version").asInt(), is(1));
        assertThat(open.has("actualEnd"), is(false));
        assertThat(open.at("/identifiedCredentials/0/identifier/className").asText(), is("Ticket"));
        assertThat(open.at("/segments/0/validationType/0").asText(), is("ticket"));

        // The schemas do bite: without its version, with a credential type APDS does not list, or without
        // segments, a Session is refused.
        ObjectNode noVersion = closed.deepCopy();
        noVersion.remove("version");
        assertThat(Specs.jsonErrors("apds/Session.json", noVersion), is(not(empty())));
        ObjectNode badType = closed.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) badType.at("/segments/0/validationType")).removeAll()
                .add("faceScan");
        assertThat(Specs.jsonErrors("apds/Session.json", badType), is(not(empty())));
        ObjectNode noSegments = closed.deepCopy();
        noSegments.putArray("segments");
        assertThat(Specs.jsonErrors("apds/Session.json", noSegments), is(not(empty())));
    }

    @Test
    void ratesAreAnApdsRateTableOfTheCurrentTariff() throws Exception {
        JsonNode rates = sample("/api/v1/apds/lots/A/rates", olga, "apds-rates-A.json");
        assertThat(Specs.jsonErrors("apds/RateTableList.json", rates), is(empty()));
        JsonNode table = rates.at("/data/0");
        assertThat(table.get("id").asText(), is("A-tariff"));
        assertThat(table.get("version").asInt(), is(3));
        JsonNode grace = table.at("/rateLineCollections/0");
        assertThat(grace.get("maxTime").asText(), is("PT15M"));
        assertThat(grace.at("/rateLines/0/value").decimalValue().signum(), is(0));
        JsonNode paid = table.at("/rateLineCollections/1");
        assertThat(paid.get("applicableCurrency").asText(), is("EUR"));
        assertThat(paid.at("/rateLines/0/value").asDouble(), is(2.5));
        assertThat(paid.at("/rateLines/0/incrementPeriod").asText(), is("PT60M"));
        assertThat(paid.get("maxValueCollection").asDouble(), is(20.0));
        // A viewer of the tenant may read rates (no personal data in them).
        assertThat(get("/api/v1/apds/lots/A/rates", vera).status(), is(200));

        JsonNode yen = get("/api/v1/apds/lots/B/rates", bob).body();
        assertThat(Specs.jsonErrors("apds/RateTableList.json", yen), is(empty()));
        assertThat(yen.at("/data/0/rateLineCollections").size(), is(1));
        assertThat(yen.at("/data/0/rateLineCollections/0/rateLines/0/value").asDouble(), is(300.0));

        // The schema does bite: an amount in a currency code APDS cannot have, or no collections, is refused.
        ObjectNode badCurrency = rates.deepCopy();
        ((ObjectNode) badCurrency.at("/data/0/rateLineCollections/1")).put("applicableCurrency", "euro");
        assertThat(Specs.jsonErrors("apds/RateTableList.json", badCurrency), is(not(empty())));
        ObjectNode noCollections = rates.deepCopy();
        ((ObjectNode) noCollections.at("/data/0")).putArray("rateLineCollections");
        assertThat(Specs.jsonErrors("apds/RateTableList.json", noCollections), is(not(empty())));
    }

    @Test
    void anotherTenantsTokenSeesNothingOfThem() throws Exception {
        // Bob (op-b) lists only his own session, even when he asks for lot A.
        assertThat(ids(get("/api/v1/apds/sessions", bob).body()), containsInAnyOrder("s-b1"));
        assertThat(ids(get("/api/v1/apds/sessions?lot=A", bob).body()), is(empty()));
        // A's session and rates exist (olga reads them) and answer Bob exactly as unknown ones.
        TestHttp.Response session = get("/api/v1/apds/sessions/s-a1", bob);
        TestHttp.Response unknown = get("/api/v1/apds/sessions/no-such-session", bob);
        assertThat(session.status(), is(404));
        assertThat(unknown.status(), is(404));
        assertThat(session.body().get("error").asText(), is(unknown.body().get("error").asText()));
        assertThat(session.body().get("message").asText(), is(unknown.body().get("message").asText()));
        assertThat(get("/api/v1/apds/lots/A/rates", bob).status(), is(404));
        assertThat(get("/api/v1/apds/lots/A/rates", olga).status(), is(200));
        // Olga sees none of B's.
        assertThat(ids(get("/api/v1/apds/sessions", olga).body()), containsInAnyOrder("s-a1", "s-a2"));
        assertThat(get("/api/v1/apds/sessions/s-b1", olga).status(), is(404));
        assertThat(get("/api/v1/apds/lots/B/rates", olga).status(), is(404));
        // Sessions carry plates: a viewer, even of the right tenant, and no token at all are refused.
        assertThat(get("/api/v1/apds/sessions", vera).status(), is(403));
        assertThat(f.get("/api/v1/apds/sessions").status(), is(401));
        // A bad limit is a 400 naming it.
        TestHttp.Response bad = get("/api/v1/apds/sessions?limit=0", olga);
        assertThat(bad.status(), is(400));
        assertThat(bad.text().contains("limit"), is(true));
    }
}
