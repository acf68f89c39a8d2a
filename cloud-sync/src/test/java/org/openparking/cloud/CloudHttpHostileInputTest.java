package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.openparking.cloud.auth.Role;
import org.openparking.testing.HostileMessages;
import org.openparking.testing.HostileRig;
import org.openparking.testing.TestHttp;

/**
 * Hostile input at cloud-sync's HTTP door: generated malformed, wrongly typed and wrongly encoded bodies
 * ({@link HostileMessages}, made from a valid body of each writing endpoint: login, user creation, a lot for
 * an operator, edge registration, the tariff push, level status, barrier opening, a refund, the open-data
 * settings, a partner), bodies over the size limit, and bodies sent as text or without a type. Every one
 * must be answered with a 4xx and a JSON {@code error}, leave every table of cloud-sync's database exactly
 * as it was and send no command to an edge, keep the service answering, and log at most a couple of lines.
 */
class CloudHttpHostileInputTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TARIFF = "{\"version\":9,\"currency\":\"EUR\",\"graceMinutes\":15,\"periodMinutes\":60,"
            + "\"pricePerPeriod\":250,\"dailyCap\":2000,\"lostTicketFee\":3000}";
    private static final List<Surface> SURFACES = List.of(
            new Surface("POST", "/api/v1/auth/login", false, "{\"username\":\"fuzz-admin\",\"password\":\"fuzz-password-0123\"}"),
            new Surface("POST", "/api/v1/users", true,
                    "{\"username\":\"fuzz-new\",\"password\":\"fuzz-new-password\",\"role\":\"viewer\",\"operator\":\"op-f\"}"),
            new Surface("POST", "/api/v1/operators/op-f/lots", true, "{\"lotId\":\"fz\"}"),
            new Surface("POST", "/api/v1/edges", true, "{\"lotId\":\"fz\",\"levelId\":\"L2\"}"),
            new Surface("PUT", "/api/v1/lots/fz/tariff", true, TARIFF),
            new Surface("POST", "/api/v1/levels/fz/L1/status", true, "{\"closed\":true,\"reason\":\"cleaning\"}"),
            new Surface("POST", "/api/v1/lanes/fz/L1/in-1/open", true, "{\"reason\":\"ticket jammed\"}"),
            new Surface("POST", "/api/v1/sessions/fz-s1/refund", true, "{\"amount\":100,\"reason\":\"barrier fault\"}"),
            new Surface("PUT", "/api/v1/lots/fz/open-data", true, "{\"published\":true,\"name\":\"Altmarkt\",\"lat\":51.05,"
                    + "\"lon\":13.74,\"timeZone\":\"Europe/Berlin\",\"openingHours\":\"Mo-Sa 07:00-22:00; Su,PH off\","
                    + "\"spaces\":{\"DISABLED\":4}}"),
            new Surface("POST", "/api/v1/partners", true,
                    "{\"partnerId\":\"fuzz-partner\",\"url\":\"https://partner.example/hook\",\"lots\":[\"fz\"]}"));

    private static CloudFixture cloud;
    private static String token;
    private static HostileRig rig;

    record Surface(String method, String path, boolean admin, String valid) {
    }

    record Hostile(Surface surface, String contentType, byte[] body, String kind) {
        @Override
        public String toString() {
            return kind + " " + surface.method() + " " + surface.path() + " (" + body.length + " bytes, " + contentType
                    + ") " + new String(body, 0, Math.min(body.length, 200), StandardCharsets.ISO_8859_1);
        }
    }

    @BeforeContainer
    static void start() throws Exception {
        // Rate limits out of the way: 500 requests in seconds would otherwise be answered 429 before validation
        // (a 4xx JSON answer, so the property would pass without testing the endpoint); the size limit stays.
        org.openparking.cloud.auth.AuthSettings defaults = org.openparking.cloud.auth.AuthSettings.defaults();
        cloud = CloudFixture.start(defaults.withLimits(1_000_000, 1_000_000, 1_000_000, defaults.maxBodyBytes())
                .withLoginPerAddressPerMinute(1_000_000), org.openparking.cloud.ingest.AfterCommitHook.NONE);
        token = cloud.adminToken();
        cloud.app.gateway().users().create("fuzz-admin", "fuzz-password-0123", Role.ADMIN, null, null);
        ApiClient api = new ApiClient(cloud.baseUrl(), token);
        assertThat(api.post("/api/v1/edges", "{\"lotId\":\"fz\",\"levelId\":\"L1\"}").status(), is(201));
        assertThat(api.put("/api/v1/lots/fz/tariff", TARIFF.replace("\"version\":9", "\"version\":3")).status(), is(200));
        rig = HostileRig.start(CloudHttpHostileInputTest::snapshot);
    }

    @AfterContainer
    static void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
        cloud.close();
    }

    @Property(tries = 500)
    void everyHostileRequestGetsA4xxJsonAndChangesNothing(@ForAll("hostile") Hostile h) throws Exception {
        HostileRig.Step step = rig.step(h);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cloud.baseUrl() + h.surface().path()))
                .timeout(Duration.ofSeconds(30)).method(h.surface().method(), HttpRequest.BodyPublishers.ofByteArray(h.body()));
        if (h.contentType() != null) {
            b.header("Content-Type", h.contentType());
        }
        if (h.surface().admin()) {
            b.header("Authorization", "Bearer " + token);
        }
        if (h.body().length > 65_536) {
            b.expectContinue(true); // the server refuses before reading: ask first, as a well-behaved client does
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(h + " -> " + r.body(), r.statusCode(), allOf(greaterThanOrEqualTo(400), lessThan(500)));
        assertThat(h + ": refused by its content, not by a rate limit", r.statusCode(), not(is(429)));
        JsonNode body = TestHttp.parse(r.body());
        assertThat(h + ": a JSON error body, was " + r.body(), body.get("error"), notNullValue());
        step.assertUnchanged();
        step.assertAlive("still serving", new ApiClient(cloud.baseUrl(), token).get("/api/v1/edges").status() == 200);
        step.assertLogLinesAtMost(2);
        step.assertLogNeverShows(List.of("fuzz-password-0123", "fuzz-new-password", token));
    }

    @Provide
    Arbitrary<Hostile> hostile() {
        return Arbitraries.of(SURFACES).flatMap(s -> Arbitraries.oneOf(
                HostileMessages.malformed(s.valid()).map(b -> new Hostile(s, "application/json", b, "malformed")),
                HostileMessages.wronglyTyped(s.valid()).map(b -> new Hostile(s, "application/json", b, "wrongly typed")),
                HostileMessages.wronglyEncoded(s.valid()).map(b -> new Hostile(s, "application/json; charset=utf-8", b,
                        "wrongly encoded")),
                Arbitraries.integers().between(70_000, 1_500_000).map(n -> new Hostile(s, "application/json",
                        s.valid().replaceFirst("\\{", "{\"addedLater\":\"" + "z".repeat(n) + "\",")
                                .getBytes(StandardCharsets.UTF_8), "over the size limit"))));
    }

    /** Every table of the service's database, serialised: any change to any row shows. */
    private static String snapshot() throws Exception {
        try (Connection c = cloud.database.connect()) {
            List<String> tables = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT table_name FROM "
                    + "information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            return HostileRig.tables(c, tables);
        }
    }
}
