package org.openparking.cloud;

import java.time.Clock;
import java.time.Duration;
import org.openparking.cloud.http.ViewCache;
import org.openparking.cloud.opendata.OpenDataAdminService;
import org.openparking.cloud.opendata.OpenDataService;
import org.openparking.cloud.opendata.OpenDataSettings;
import org.openparking.cloud.opendata.PartnerService;
import org.openparking.cloud.opendata.PublicAvailability;
import org.openparking.cloud.opendata.PublicPage;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.cloud.audit.AuditService;
import org.openparking.cloud.http.ApiRouting;
import org.openparking.cloud.http.CommandsService;
import org.openparking.cloud.http.FleetService;
import org.openparking.cloud.http.HistoryService;
import org.openparking.cloud.http.PaymentsService;
import org.openparking.cloud.http.SessionsService;
import org.openparking.testing.OpenApiCheck;
import org.openparking.testing.TestHttp;

/**
 * cloud-sync's OpenAPI document (src/main/resources/openapi/cloud.yaml, served at /openapi.yaml) is valid for
 * an independent validator, names every route Main.routing registers and no other, and its error codes are
 * the ones written in cloud-sync's sources and the platform's HTTP error mapping.
 */
class OpenApiDocumentTest {
    private static final Path DOCUMENT = Path.of("src/main/resources" + ApiRouting.OPENAPI_RESOURCE);
    private static final String CODE = "\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)\"";
    private static final List<Pattern> EMITTERS = List.of(
            Pattern.compile("CloudException\\.(?:notFound|conflict|unavailable)\\(\\s*" + CODE),
            Pattern.compile("new CloudException\\(\\s*Kind\\.\\w+,\\s*" + CODE),
            Pattern.compile("HttpErrors\\.send\\(\\s*\\w+,\\s*(?:io\\.helidon\\.http\\.)?Status\\.\\w+,\\s*" + CODE),
            Pattern.compile("new ErrorBody\\(\\s*(?:[^,\"]*\\?\\s*" + CODE + "\\s*:\\s*)?" + CODE),
            Pattern.compile("case \\d+ -> new ErrorBody\\(" + CODE),
            Pattern.compile("new HttpErrors\\.BodyCodes\\(\\s*" + CODE + ",\\s*" + CODE));
    private static CloudFixture cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = CloudFixture.start();
    }

    @AfterAll
    static void stop() throws Exception {
        cloud.close();
    }

    @Test
    void theServedDocumentIsTheCheckedOneAndAnIndependentValidatorAcceptsIt(@TempDir Path dir) throws Exception {
        try (TestHttp http = TestHttp.create()) {
            TestHttp.Response served = http.get(cloud.baseUrl() + "/openapi.yaml");
            assertThat(served.toString(), served.status(), is(200));
            assertThat(served.header("Content-Type"), startsWith("application/yaml"));
            assertThat("served == checked in", served.text(), is(Files.readString(DOCUMENT)));
            Path copy = dir.resolve("served-cloud.yaml");
            Files.writeString(copy, served.text());
            String out = OpenApiCheck.validate(DOCUMENT, copy);
            assertThat(out, containsString("valid: " + DOCUMENT.toAbsolutePath() + " (OpenAPI 3.1.0"));
            assertThat(out, containsString("valid: " + copy.toAbsolutePath() + " (OpenAPI 3.1.0"));
        }
    }

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() throws Exception {
        // The services only register routes here; their dependencies are not called.
        Main.Api api = new Main.Api(new FleetService(null, null, null), new SessionsService(null, null, null),
                new PaymentsService(null, null, null), new CommandsService(null),
                new HistoryService(null, null),
                new org.openparking.cloud.lanes.LaneRulesService(null));
        Main.OpenData openData = new Main.OpenData(new OpenDataService(PublicAvailability.postgres(null, null,
                OpenDataSettings.defaults(), Clock.systemUTC()), null, Clock.systemUTC()), new PublicPage(),
                new OpenDataAdminService(null), new PartnerService(null),
                new org.openparking.cloud.opendata.ApdsService(null, null, null));
        Set<String> registered = new TreeSet<>();
        for (String r : OpenApiCheck.registeredRoutes(b -> Main.routing(b, api, cloud.app.gateway(), new ViewCache(Duration.ofSeconds(1)), openData))) {
            if (r.equals("ANY " + ApiRouting.BASE + "/*") || r.equals("ANY " + OpenDataService.BASE + "/*")
                    || r.equals("OPTIONS " + OpenDataService.BASE + "/*")) {
                continue; // the JSON NOT_FOUND for unknown paths and the CORS preflight, not endpoints
            }
            registered.add(r.replace("/*", "/{file}"));
        }
        OpenApiCheck doc = OpenApiCheck.load(DOCUMENT);
        Set<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(doc.routedOperations());
        assertThat("registered by cloud-sync but missing from " + DOCUMENT + ": add a path item for each",
                undocumented, empty());
        Set<String> unserved = new TreeSet<>(doc.routedOperations());
        unserved.removeAll(registered);
        assertThat("in " + DOCUMENT + " but registered nowhere", unserved, empty());
        try (TestHttp http = TestHttp.create(Duration.ofSeconds(5), Duration.ofSeconds(30))) {
            for (String op : doc.featureOperations()) {
                assertThat(op, http.get(cloud.baseUrl() + op.substring(op.indexOf(' ') + 1)).status(), is(200));
            }
        }
    }

    @Test
    void theDocumentedErrorCodesAreTheOnesCloudSyncSends() {
        Set<String> emitted = OpenApiCheck.codesIn(List.of(Path.of("src/main/java"),
                Path.of("../platform/src/main/java/org/openparking/platform/json")), EMITTERS);
        assertThat(emitted, hasItems("INVALID_REQUEST", "LOT_NOT_FOUND", "RATE_LIMITED", "NOT_FOUND",
                "PAYLOAD_TOO_LARGE"));
        Set<String> documented = OpenApiCheck.load(DOCUMENT).errorCodes();
        Set<String> undocumented = new TreeSet<>(emitted);
        undocumented.removeAll(documented);
        assertThat("sent by cloud-sync, missing from the Error enum of " + DOCUMENT, undocumented, empty());
        Set<String> neverSent = new TreeSet<>(documented);
        neverSent.removeAll(emitted);
        assertThat("in the Error enum of " + DOCUMENT + ", sent nowhere", neverSent, empty());
    }
}
