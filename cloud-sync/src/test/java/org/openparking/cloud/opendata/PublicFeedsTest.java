package org.openparking.cloud.opendata;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.AvailabilityChanged.TypeCount;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;
import org.w3c.dom.Document;

/**
 * The public feeds against a real cloud-sync whose levels came in through the broker, as edges send them:
 * a lot with an impossible count (8,259 free of 140, ParkAPI #66), a lot whose edge went silent, one closed by
 * its operator, one closed by its opening hours, one not published. Each format is checked against its
 * specification (JSON schema, xmllint and XSD), and each says stale and closed as such.
 */
class PublicFeedsTest {
    /** Where each format's answer is written (docs/open-data.md shows them). */
    private static final Path SAMPLES = Path.of(System.getProperty("open-data.samples", "target/open-data-samples"));
    private static OpenDataFixture f;
    private static String olga;

    @TempDir
    Path dir;

    @BeforeAll
    static void publishAndReport() throws Exception {
        f = OpenDataFixture.start(OpenDataSettings.defaults());
        f.createOperator("olga", "olga-password-1", "op-a", "A", "S", "C", "H", "U", "E", "T");
        f.createOperator("bob", "bob-password-1", "op-b", "B");
        olga = f.login("olga", "olga-password-1");
        publish("A", true, "Altmarkt-Galerie", "24/7");
        publish("S", true, "Neumarkt", "24/7");
        publish("C", true, "Schloss", null);
        publish("H", true, "Hauptbahnhof Nord", hoursExcludingNow());
        publish("U", false, "Unpublished", null);
        publish("E", true, "Elbe", null);
        publish("T", true, "Theater", null);
        f.report("A", "L1", 100, 40, "OPEN", Map.of(VehicleType.STANDARD, new TypeCount(90, 35),
                VehicleType.DISABLED, new TypeCount(4, 1), VehicleType.EV, new TypeCount(6, 4)));
        f.report("A", "L2", 140, 8259, "OPEN", Map.of(VehicleType.STANDARD, new TypeCount(140, 8259)));
        f.report("S", "L1", 50, 20, "OPEN", Map.of());
        f.report("C", "L1", 80, 30, "CLOSED", Map.of());
        f.report("H", "L1", 60, 10, "OPEN", Map.of());
        f.report("U", "L1", 10, 5, "OPEN", Map.of());
        f.report("E", "L1", 30, 12, "OPEN", Map.of());
        f.report("T", "L1", 100, 50, "OPEN", Map.of());
        // S's edge has been silent for an hour (stale-after is 15 minutes).
        Jdbc.inTransaction(f.app.dataSource(), c -> Jdbc.update(c,
                "UPDATE edges SET last_seen = now() - interval '1 hour' WHERE lot_id = 'S'"));
    }

    @AfterAll
    static void stop() throws Exception {
        f.close();
    }

    private static void publish(String lot, boolean published, String name, String hours) throws Exception {
        ObjectNode site = org.openparking.protocol.Json.mapper().createObjectNode();
        site.put("published", published).put("name", name).put("address", name + " 1, 01067 Dresden")
                .put("lat", 51.05).put("lon", 13.74).put("timeZone", "Europe/Berlin")
                .put("feeSummary", "2.50 EUR per hour, 20 EUR per day").put("heightLimitCm", 200);
        if (hours != null) {
            site.put("openingHours", hours);
        }
        site.putObject("spaces").put("DISABLED", 4).put("EV", 6);
        TestHttp.Response r = f.put("/api/v1/lots/" + lot + "/open-data", olga, site.toString());
        assertThat(r.toString(), r.status(), is(200));
    }

    /** One hour, starting two hours from now in Berlin: the lot is closed now whenever the test runs. */
    private static String hoursExcludingNow() {
        int h = ZonedDateTime.now(ZoneId.of("Europe/Berlin")).getHour();
        return String.format("%02d:00-%02d:00", (h + 2) % 24, (h + 3) % 24);
    }

    private static TestHttp.Response sample(String path, String file) throws java.io.IOException {
        TestHttp.Response r = f.get(path);
        java.nio.file.Files.createDirectories(SAMPLES);
        java.nio.file.Files.writeString(SAMPLES.resolve(file), r.text());
        return r;
    }

    private static JsonNode lot(JsonNode lots, String id) {
        for (JsonNode l : lots) {
            if (l.path("lotId").asText().equals(id) || l.path("uid").asText().equals(id)
                    || l.path("id").asText().equals(id)) {
                return l;
            }
        }
        throw new AssertionError("no lot " + id + " in " + lots);
    }

    @Test
    void onlyPublishedLotsWithCountsClampedStaleRealtimeWithheldAndClosedApartFromFull() throws Exception {
        TestHttp.Response r = sample("/open-data/v1/lots", "lots.json");
        assertThat(r.status(), is(200));
        JsonNode lots = r.body().get("lots");
        List<String> ids = new ArrayList<>();
        lots.forEach(l -> ids.add(l.get("lotId").asText()));
        assertThat(ids, contains("A", "C", "E", "H", "S", "T"));

        JsonNode a = lot(lots, "A");
        assertThat(a.get("capacity").asInt(), is(240));
        assertThat("8,259 free of 140 is shown as 140", a.get("free").asInt(), is(180));
        assertThat(a.get("clamped").asBoolean(), is(true));
        assertThat(a.get("levels").get(1).get("free").asInt(), is(140));
        assertThat(a.get("levels").get(0).get("clamped").asBoolean(), is(false));
        assertThat(a.get("realtime").asBoolean(), is(true));
        assertThat(a.get("stale").asBoolean(), is(false));
        assertThat(a.get("openingStatus").asText(), is("OPEN"));
        assertThat(a.get("occupancy").asText(), is("AVAILABLE"));
        assertThat(a.at("/byType/DISABLED/capacity").asInt(), is(4));
        assertThat(a.at("/byType/DISABLED/free").asInt(), is(1));
        assertThat(a.at("/byType/EV/free").asInt(), is(4));
        assertThat(a.at("/byType/STANDARD/free").asInt(), is(35 + 140));
        assertThat(a.get("observedAt").isTextual(), is(true));

        JsonNode s = lot(lots, "S");
        assertThat(s.get("realtime").asBoolean(), is(false));
        assertThat(s.get("stale").asBoolean(), is(true));
        assertThat(s.get("free").isNull(), is(true));
        assertThat(s.get("staleReason").asText(), containsString("edge silent since"));
        assertThat(s.get("occupancy").asText(), is("UNKNOWN"));
        assertThat("24/7 hours say open even without live data", s.get("openingStatus").asText(), is("OPEN"));

        JsonNode c = lot(lots, "C");
        assertThat(c.get("openingStatus").asText(), is("CLOSED"));
        assertThat(c.get("openingReason").asText(), is("CLOSED_BY_OPERATOR"));
        assertThat(c.get("occupancy").asText(), is("CLOSED"));
        assertThat(c.get("free").asInt(), is(0));

        JsonNode h = lot(lots, "H");
        assertThat(h.get("openingStatus").asText(), is("CLOSED"));
        assertThat(h.get("openingReason").asText(), is("OPENING_HOURS"));
        assertThat(h.get("occupancy").asText(), is("CLOSED"));
    }

    @Test
    void anUnpublishedLotAnswersAsAnUnknownOne() {
        TestHttp.Response unpublished = f.get("/open-data/v1/lots/U");
        TestHttp.Response unknown = f.get("/open-data/v1/lots/no-such-lot");
        assertThat(unpublished.status(), is(404));
        assertThat(unknown.status(), is(404));
        assertThat(unpublished.error(), is("NOT_FOUND"));
        assertThat(f.get("/open-data/v1/apds/places/U/occupancy").status(), is(404));
        assertThat(f.get("/open-data/v1/lots/A").status(), is(200));
    }

    @Test
    void answersAreCacheableWithETagsAndOpenToBrowsersOfAnyOrigin() throws Exception {
        TestHttp.Response first = f.get("/open-data/v1/lots/E", "Origin", "https://city.example");
        assertThat(first.status(), is(200));
        String etag = first.header("ETag");
        assertThat(etag, startsWith("\""));
        assertThat(first.header("Cache-Control"), is("public, max-age=30"));
        assertThat(first.header("Access-Control-Allow-Origin"), is("*"));

        TestHttp.Response again = f.get("/open-data/v1/lots/E", "If-None-Match", etag);
        assertThat(again.status(), is(304));
        assertThat(again.text(), is(""));
        assertThat(again.header("ETag"), is(etag));

        TestHttp.Response preflight = f.http.send("OPTIONS", f.url("/open-data/v1/lots"), null,
                "Origin", "https://city.example", "Access-Control-Request-Method", "GET");
        assertThat(preflight.status(), is(204));
        assertThat(preflight.header("Access-Control-Allow-Methods"), containsString("GET"));

        f.report("E", "L1", 30, 11, "OPEN", Map.of());
        TestHttp.Response changed = f.get("/open-data/v1/lots/E", "If-None-Match", etag);
        assertThat(changed.status(), is(200));
        assertThat(changed.header("ETag"), is(not(etag)));
        assertThat(changed.body().get("free").asInt(), is(11));
    }

    @Test
    void parkApiSitesValidateAgainstTheParkApiModel() throws Exception {
        TestHttp.Response r = sample("/open-data/v1/parkapi/v3/parking-sites", "parkapi-parking-sites.json");
        assertThat(r.status(), is(200));
        assertThat(Specs.jsonErrors("parkapi/parking-sites.schema.json", r.body()), is(empty()));
        JsonNode items = r.body().get("items");
        JsonNode a = lot(items, "A");
        assertThat(a.get("realtime_free_capacity").asInt(), is(180));
        assertThat(a.get("capacity").asInt(), is(240));
        assertThat(a.get("capacity_disabled").asInt(), is(4));
        assertThat(a.get("realtime_free_capacity_charging").asInt(), is(4));
        assertThat(a.get("realtime_opening_status").asText(), is("OPEN"));
        JsonNode s = lot(items, "S");
        assertThat(s.get("has_realtime_data").asBoolean(), is(true));
        assertThat("stale realtime is withheld", s.has("realtime_free_capacity"), is(false));
        JsonNode c = lot(items, "C");
        assertThat(c.get("realtime_opening_status").asText(), is("CLOSED"));
        assertThat(c.get("realtime_free_capacity").asInt(), is(0));

        // The schema does bite: an impossible count is refused.
        ObjectNode broken = r.body().deepCopy();
        ((ObjectNode) broken.get("items").get(0)).put("realtime_free_capacity", -1);
        assertThat(Specs.jsonErrors("parkapi/parking-sites.schema.json", broken), is(not(empty())));
    }

    @Test
    void datexLightValidatesWithXmllintAgainstTheXsd() throws Exception {
        TestHttp.Response r = sample("/open-data/v1/datex2/parking-light", "datex2-parking-light.xml");
        assertThat(r.status(), is(200));
        assertThat(r.header("Content-Type"), startsWith("application/xml"));
        Specs.XmlVerdict verdict = Specs.xmllint(r.text(), dir);
        assertThat(verdict.output(), verdict.valid(), is(true));

        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(
                r.text().getBytes(StandardCharsets.UTF_8)));
        XPath x = XPathFactory.newInstance().newXPath();
        String site = "//*[local-name()='parkingSite'][@id='%s']/*[local-name()='%s']";
        assertThat(x.evaluate(site.formatted("A", "availableSpaces"), doc), is("180"));
        assertThat(x.evaluate(site.formatted("A", "isOpenNow"), doc), is("true"));
        assertThat(x.evaluate("count(" + site.formatted("S", "availableSpaces") + ")", doc), is("0"));
        assertThat(x.evaluate(site.formatted("S", "realtimeDataStale"), doc), is("true"));
        assertThat(x.evaluate(site.formatted("S", "parkingSiteStatus"), doc), is("unknown"));
        assertThat(x.evaluate(site.formatted("C", "isOpenNow"), doc), is("false"));
        assertThat(x.evaluate(site.formatted("C", "parkingSiteStatus"), doc), is("closed"));
        assertThat(x.evaluate(site.formatted("C", "availableSpaces"), doc), is("0"));
        assertThat(x.evaluate(site.formatted("H", "isOpenNow"), doc), is("false"));

        // The XSD does bite: a negative count and an unknown status are refused.
        assertThat(Specs.xmllint(r.text().replace("<availableSpaces>180<", "<availableSpaces>-1<"), dir).valid(),
                is(false));
        assertThat(Specs.xmllint(r.text().replaceFirst("<parkingSiteStatus>[a-zA-Z]+<",
                "<parkingSiteStatus>busy<"), dir).valid(), is(false));
    }

    @Test
    void datexV3ParkingStatusValidatesWithXmllintAndSaysClosedAsZeroVacant() throws Exception {
        TestHttp.Response r = sample("/open-data/v1/datex2/v3/parking-status", "datex2-v3-parking-status.xml");
        assertThat(r.status(), is(200));
        assertThat(r.header("Content-Type"), startsWith("application/xml"));
        String xsd = "datex2/v3/d2payload.xsd";
        Specs.XmlVerdict verdict = Specs.xmllint(r.text(), dir, xsd);
        assertThat(verdict.output(), verdict.valid(), is(true));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(
                r.text().getBytes(StandardCharsets.UTF_8)));
        XPath x = XPathFactory.newInstance().newXPath();
        String record = "//*[local-name()='parkingRecordStatus'][*[local-name()='parkingRecordReference'][@id='%s']]";
        String occupancy = record + "/*[local-name()='parkingOccupancy']/*[local-name()='%s']";
        String child = record + "/*[local-name()='%s']";
        assertThat(x.evaluate(occupancy.formatted("A", "parkingNumberOfVacantSpaces"), doc), is("180"));
        assertThat(x.evaluate(occupancy.formatted("A", "parkingNumberOfOccupiedSpaces"), doc), is("60"));
        assertThat(x.evaluate(occupancy.formatted("A", "parkingOccupancy"), doc), is("25.0"));
        assertThat(x.evaluate(child.formatted("A", "parkingSiteOpeningStatus"), doc), is("open"));
        assertThat(x.evaluate(child.formatted("A", "parkingSiteStatus"), doc), is("spacesAvailable"));
        assertThat(x.evaluate(child.formatted("A", "parkingStatusOriginTime"), doc), is(not("")));
        // Closed by the operator and by the hours: closed, 0 vacant, never "full".
        for (String closed : List.of("C", "H")) {
            assertThat(x.evaluate(child.formatted(closed, "parkingSiteOpeningStatus"), doc), is("closed"));
            assertThat(x.evaluate(occupancy.formatted(closed, "parkingNumberOfVacantSpaces"), doc), is("0"));
            assertThat(x.evaluate("count(" + child.formatted(closed, "parkingSiteStatus") + ")", doc), is("0"));
        }
        // Stale: no counts, and the description says why.
        assertThat(x.evaluate("count(" + occupancy.formatted("S", "parkingNumberOfVacantSpaces") + ")", doc),
                is("0"));
        assertThat(x.evaluate(child.formatted("S", "parkingStatusDescription"), doc), containsString("no live data"));
        assertThat(x.evaluate("count(" + record.formatted("U") + ")", doc), is("0"));

        // The XSD does bite: a negative count, an unknown opening status, a missing origin time are refused.
        assertThat(Specs.xmllint(r.text().replace("<prk:parkingNumberOfVacantSpaces>180<",
                "<prk:parkingNumberOfVacantSpaces>-1<"), dir, xsd).valid(), is(false));
        assertThat(Specs.xmllint(r.text().replaceFirst("<prk:parkingSiteOpeningStatus>[a-z]+<",
                "<prk:parkingSiteOpeningStatus>busy<"), dir, xsd).valid(), is(false));
        assertThat(Specs.xmllint(r.text().replaceFirst("<prk:parkingStatusOriginTime>[^<]+</prk:parkingStatusOriginTime>",
                ""), dir, xsd).valid(), is(false));
    }

    @Test
    void apdsPlacesAndOccupancyValidateAgainstTheApdsSchemas() throws Exception {
        TestHttp.Response places = sample("/open-data/v1/apds/places", "apds-places.json");
        sample("/open-data/v1/apds/places/S/occupancy", "apds-occupancy-S.json");
        sample("/open-data/v1/apds/places/C/occupancy", "apds-occupancy-C.json");
        assertThat(places.status(), is(200));
        assertThat(Specs.jsonErrors("apds/PlaceList.json", places.body()), is(empty()));
        JsonNode a = lot(places.body().get("data"), "A");
        assertThat(a.get("version").asLong() >= 1, is(true));
        assertThat(a.get("type").asText(), is("parkingPlace"));

        JsonNode occupancy = sample("/open-data/v1/apds/places/A/occupancy", "apds-occupancy-A.json").body();
        assertThat(Specs.jsonErrors("apds/OccupancySnapshot.json", occupancy), is(empty()));
        assertThat(occupancy.at("/demand/count").asInt(), is(240 - 180));
        assertThat(occupancy.at("/demand/percentage").asDouble(), is(25.0));
        assertThat(occupancy.at("/supply/0/supplyQuantity").asInt(), is(240));

        JsonNode stale = f.get("/open-data/v1/apds/places/S/occupancy").body();
        assertThat(Specs.jsonErrors("apds/OccupancySnapshot.json", stale), is(empty()));
        assertThat(stale.has("demand"), is(false));
        assertThat(stale.at("/occupancyLevel/occupancyIndicator/entryDefinedValue").asText(), is("stale"));
        JsonNode closed = f.get("/open-data/v1/apds/places/C/occupancy").body();
        assertThat(closed.at("/occupancyLevel/occupancyIndicator/entryDefinedValue").asText(), is("closed"));
        assertThat(closed.get("openingStatus").asText(), is("CLOSED"));

        // The schema does bite: a Place without its version, or with a foreign type, is refused.
        ObjectNode noVersion = places.body().deepCopy();
        ((ObjectNode) noVersion.get("data").get(0)).remove("version");
        assertThat(Specs.jsonErrors("apds/PlaceList.json", noVersion), is(not(empty())));
        ObjectNode badType = places.body().deepCopy();
        ((ObjectNode) badType.get("data").get(0)).put("type", "garage");
        assertThat(Specs.jsonErrors("apds/PlaceList.json", badType), is(not(empty())));
    }

    @Test
    void theTrendFollowsTheFreeCountOverTheWindow() throws Exception {
        f.app.sampler().sample();
        f.report("T", "L1", 100, 45, "OPEN", Map.of());
        JsonNode t = f.get("/open-data/v1/lots/T").body();
        assertThat(t.get("trend").asText(), is("FILLING"));
        assertThat(t.get("levels").get(0).get("trend").asText(), is("FILLING"));
        String xml = f.get("/open-data/v1/datex2/parking-light").text();
        assertThat(xml, containsString("<parkingSite id=\"T\""));
        assertThat(xml.substring(xml.indexOf("<parkingSite id=\"T\"")), containsString(
                "<occupancyTrend>increasing</occupancyTrend>"));
    }
}
