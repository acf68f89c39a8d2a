package org.openparking.edge.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.openparking.edge.TestEdge;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.HostileMessages;
import org.openparking.testing.HostileRig;
import org.openparking.testing.TestHttp;

/**
 * Hostile input at the edge's HTTP door: generated malformed, oversized, wrongly typed, wrongly encoded
 * and out-of-order requests against every writing endpoint (entries, exits, pay station, admin). Each
 * must be answered with a 4xx JSON error body, leave the level's SQLite file exactly as it was (a snapshot
 * of sessions, payments, outbox, lanes and level state compared before and after), keep the edge serving,
 * and log at most a couple of lines.
 */
class EdgeHostileInputTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Every writing endpoint with the fields it reads (unknown fields are ignored by design, so they prove nothing). */
    private static final List<Surface> SURFACES = List.of(
            new Surface("POST", "/lanes/in-1/entries", List.of("plate", "vehicleType")),
            new Surface("POST", "/lanes/out-1/exits", List.of("ticket", "paymentMethod", "lostTicket", "plate")),
            new Surface("POST", "/pay-station/payments", List.of("ticket", "paymentMethod")),
            new Surface("POST", "/admin/level/status", List.of("closed", "reason")),
            new Surface("POST", "/admin/lanes/out-1/open", List.of("reason")),
            new Surface("POST", "/admin/occupancy/recount", List.of("type", "occupied", "reason")),
            new Surface("PUT", "/admin/tariff", List.of("version", "currency", "graceMinutes", "periodMinutes",
                    "pricePerPeriod", "dailyCap", "lostTicketFee")),
            new Surface("PUT", "/admin/allow-list", List.of("plates")));

    record Surface(String method, String path, List<String> fields) {
    }

    private static TestEdge edge;
    private static HostileRig rig;

    @BeforeContainer
    static void start() throws Exception {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 5));
        edge.enterAndPass("KEEP-1"); // one open session, so exits and payments have something to aim at
        // Barrier movements are written deferred (within a second, or with the next durable commit).
        rig = HostileRig.startSettled(EdgeHostileInputTest::snapshot);
    }

    @AfterContainer
    static void stop() {
        rig.close();
        edge.close();
    }

    /** One request: method, path, Content-Type, body bytes, and what kind of hostility it is. */
    record Hostile(String method, String path, String contentType, byte[] body, String kind) {
        @Override
        public String toString() {
            String shown = new String(body, 0, Math.min(body.length, 120), StandardCharsets.ISO_8859_1);
            return kind + " " + method + " " + path + " (" + body.length + " bytes) " + shown;
        }
    }

    @Property(tries = 600)
    void everyHostileRequestGetsA4xxJsonAndChangesNothing(@ForAll("hostile") Hostile h) throws Exception {
        HostileRig.Step step = rig.step(h);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(edge.base() + h.path())).timeout(Duration.ofSeconds(30))
                .method(h.method(), HttpRequest.BodyPublishers.ofByteArray(h.body()));
        if (h.contentType() != null) {
            b.header("Content-Type", h.contentType());
        }
        if (h.body().length > 65_536) {
            // Over the payload limit the server answers 413 and closes without reading the body, which a
            // client still writing sees as a broken pipe: so ask first, as a well-behaved client does.
            b.expectContinue(true);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(h + " -> " + r.body(), r.statusCode(), allOf(greaterThanOrEqualTo(400), lessThan(500)));
        JsonNode body = TestHttp.parse(r.body());
        assertThat(h + ": a JSON error body, was " + r.body(), body.get("error"), notNullValue());
        step.assertUnchanged();
        step.assertAlive("still serving", edge.get("/availability").status() == 200);
        step.assertLogLinesAtMost(2);
    }

    @Provide
    Arbitrary<Hostile> hostile() {
        return Arbitraries.of(SURFACES).flatMap(surface -> Combinators.combine(
                Arbitraries.oneOf(malformed().map(b -> new byte[][] {b, "malformed".getBytes()}),
                        wronglyTyped(surface).map(b -> new byte[][] {b, "wrongly typed".getBytes()}),
                        oversized().map(b -> new byte[][] {b, "oversized".getBytes()}),
                        wronglyEncoded().map(b -> new byte[][] {b, "wrongly encoded".getBytes()}),
                        outOfOrder(surface).map(b -> new byte[][] {b, "out of order".getBytes()})),
                Arbitraries.of("application/json", "application/json; charset=utf-8"))
                .as((body, type) -> new Hostile(surface.method(), surface.path(), type, body[0], new String(body[1]))));
    }

    /** Broken JSON: truncated, unbalanced, bare garbage, JSON that is not an object. */
    private static Arbitrary<byte[]> malformed() {
        Arbitrary<String> garbage = Arbitraries.strings().ofMinLength(1).ofMaxLength(200)
                .filter(s -> !s.isBlank() && !s.trim().startsWith("{"));
        Arbitrary<String> truncated = Arbitraries.of("{\"plate\":\"AB-1", "{\"ticket\":", "{", "{\"a\":1,,}", "{'plate':'x'}",
                "{\"plate\":\"x\"}}", "[", "nul", "{\"plate\":\"x\" \"y\":1}", "\u0000{}", "{\"plate\":\"\\uZZZZ\"}");
        Arbitrary<String> notObject = Arbitraries.of("[]", "[1,2]", "\"text\"", "42", "true", "null", "1e999999");
        return Arbitraries.oneOf(garbage, truncated, notObject).map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The surface's own fields with values of the wrong JSON type: arrays and objects, numbers where text
     * belongs (the mapper refuses the coercion), fractions and out-of-range numbers where whole numbers do.
     */
    private static Arbitrary<byte[]> wronglyTyped(Surface surface) {
        Arbitrary<String> value = Arbitraries.of("[]", "{}", "[\"x\"]", "{\"$ne\":null}", "[[[]]]", "12", "1.5e308",
                "9223372036854775808", "-9223372036854775809", "0.5", "true", "{\"plate\":\"AB-1\"}");
        Arbitrary<String> one = Combinators.combine(Arbitraries.of(surface.fields()), value).as((f, v) -> "\"" + f + "\":" + v);
        return one.list().ofMinSize(1).ofMaxSize(3).uniqueElements(f -> f.substring(0, f.indexOf(':')))
                .map(l -> ("{" + String.join(",", l) + "}").getBytes(StandardCharsets.UTF_8))
                .filter(b -> !validByAccident(surface, new String(b, StandardCharsets.UTF_8)));
    }

    /** A whole number is right for {@code occupied}, a boolean for {@code closed}/{@code lostTicket}, text-like lists for plates. */
    private static boolean validByAccident(Surface surface, String body) {
        return body.matches(".*\"(occupied|version|graceMinutes|periodMinutes|pricePerPeriod|dailyCap|lostTicketFee)\":12\\b.*")
                || body.matches(".*\"(closed|lostTicket)\":true.*")
                || (surface.path().endsWith("allow-list") && body.matches("\\{\"plates\":(\\[\\]|\\[\"x\"\\])}"));
    }

    /** Bodies and fields beyond any sane size (the server's payload limit is 64 KiB). */
    private static Arbitrary<byte[]> oversized() {
        Arbitrary<byte[]> hugeField = Arbitraries.integers().between(300, 50_000).map(n ->
                ("{\"plate\":\"" + "A".repeat(n) + "\",\"ticket\":\"" + "T".repeat(n) + "\"}").getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> hugeBody = Arbitraries.integers().between(70_000, 400_000).map(n ->
                ("{\"plate\":\"" + "B".repeat(n) + "\"}").getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> deep = Arbitraries.integers().between(200, 5_000).map(n ->
                ("{\"plate\":" + "[".repeat(n) + "]".repeat(n) + "}").getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(hugeField, hugeBody, deep);
    }

    /** Bytes that are not UTF-8 where UTF-8 JSON is declared. */
    private static Arbitrary<byte[]> wronglyEncoded() {
        Arbitrary<byte[]> invalid = Arbitraries.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3, (byte) 0x28},
                new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0xf0, (byte) 0x9f, (byte) 0x98},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xc0, (byte) 0xaf});
        String plate = "{\"plate\":\"AB\"}";
        Arbitrary<byte[]> broken = invalid.map(bad -> HostileMessages.inserted(plate, plate.indexOf("\"}"), bad));
        // UTF-16 and UTF-32 where UTF-8 is declared: a BOM and NUL bytes the JSON parser must not read as text
        Arbitrary<byte[]> otherCharset = Arbitraries.of(StandardCharsets.UTF_16, StandardCharsets.UTF_16LE,
                java.nio.charset.Charset.forName("UTF-32")).map(cs -> "{\"plate\":\"AB-1\"}".getBytes(cs));
        return Arbitraries.oneOf(broken, otherCharset);
    }

    /**
     * Well-formed requests that make no sense now: tickets and sessions that were never issued or are
     * forged, a second entry of a plate already inside, a lost-ticket exit of a plate that never came in.
     */
    private static Arbitrary<byte[]> outOfOrder(Surface surface) {
        Arbitrary<String> id = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40);
        return id.map(s -> (switch (surface.path()) {
            case "/lanes/in-1/entries" -> "{\"plate\":\"KEEP-1\"}"; // already inside
            case "/lanes/out-1/exits" -> s.length() % 2 == 0 ? "{\"ticket\":\"" + s + "\"}"
                    : "{\"lostTicket\":true,\"plate\":\"NEVER-" + s.substring(0, Math.min(6, s.length())) + "\"}";
            case "/pay-station/payments" -> "{\"ticket\":\"" + s + "\",\"paymentMethod\":\"card\"}";
            case "/admin/occupancy/recount" -> "{\"type\":\"STANDARD\",\"occupied\":-" + s.length() + ",\"reason\":\"x\"}";
            case "/admin/tariff" -> "{\"version\":0,\"currency\":\"EUR\",\"graceMinutes\":0,\"periodMinutes\":60,"
                    + "\"pricePerPeriod\":100,\"dailyCap\":1000,\"lostTicketFee\":5000}"; // older than the applied one
            default -> "{\"reason\":[\"" + s + "\"]}";
        }).getBytes(StandardCharsets.UTF_8));
    }

    /** The rows that matter, serialised: any change to a session, payment, outbox row, lane or level shows. */
    private static String snapshot() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + edge.settings().db().file())) {
            return HostileRig.tables(c, List.of("sessions", "payments", "outbox", "lanes", "level_state", "tariffs",
                    "allow_list"));
        }
    }
}
