package org.openparking.edge.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.TestEdge;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.OpenApiCheck;
import org.openparking.testing.TestHttp;

/**
 * The edge's OpenAPI document (src/main/resources/openapi/edge.yaml, served at /openapi.yaml) is valid for an
 * independent validator, names every route the server registers and no route it does not, and agrees with
 * docs/api.md's route tables and the error codes the edge sends.
 */
class OpenApiDocumentTest {
    private static final Path DOCUMENT = Path.of("src/main/resources" + EdgeRouting.OPENAPI_RESOURCE);
    private static final Path API_DOC = Path.of("../docs/api.md");
    private static TestEdge edge;

    @BeforeAll
    static void start() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2));
    }

    @AfterAll
    static void stop() {
        edge.close();
    }

    @Test
    void theServedDocumentIsTheCheckedOneAndAnIndependentValidatorAcceptsIt(@TempDir Path dir) throws IOException {
        TestHttp.Response served = edge.getRoot("/openapi.yaml");
        assertThat(served.toString(), served.status(), is(200));
        assertThat(served.header("Content-Type"), startsWith("application/yaml"));
        assertThat("served == checked in", served.text(), is(Files.readString(DOCUMENT)));
        Path copy = dir.resolve("served-edge.yaml");
        Files.writeString(copy, served.text());
        String out = OpenApiCheck.validate(DOCUMENT, copy);
        assertThat(out, containsString("valid: " + DOCUMENT.toAbsolutePath() + " (OpenAPI 3.1.0"));
        assertThat(out, containsString("valid: " + copy.toAbsolutePath() + " (OpenAPI 3.1.0"));
    }

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() {
        OpenApiCheck doc = OpenApiCheck.load(DOCUMENT);
        Set<String> registered = normalized(OpenApiCheck.registeredRoutes(edge.app()::routing));
        Set<String> documented = doc.routedOperations();

        Set<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(documented);
        assertThat("registered by the edge but missing from " + DOCUMENT + ": add a path item for each",
                undocumented, empty());
        Set<String> unserved = new TreeSet<>(documented);
        unserved.removeAll(registered);
        assertThat("in " + DOCUMENT + " but registered nowhere", unserved, empty());
        // The observe feature's endpoints are not routing registrations: they must answer for real.
        for (String op : doc.featureOperations()) {
            String path = op.substring(op.indexOf(' ') + 1);
            assertThat(op, edge.getRoot(path).status(), is(200));
        }
    }

    @Test
    void docsApiMdListsTheSameApiRoutesAsTheDocument() throws IOException {
        Set<String> inOpenApi = new TreeSet<>();
        for (String op : OpenApiCheck.load(DOCUMENT).routedOperations()) {
            if (op.contains(" " + EdgeRouting.BASE + "/")) {
                inOpenApi.add(op.replace(" " + EdgeRouting.BASE, " "));
            }
        }
        Set<String> inApiMd = apiMdRoutes();
        Set<String> missing = new TreeSet<>(inOpenApi);
        missing.removeAll(inApiMd);
        assertThat("in edge.yaml, missing from docs/api.md's tables", missing, empty());
        Set<String> extra = new TreeSet<>(inApiMd);
        extra.removeAll(inOpenApi);
        assertThat("in docs/api.md's tables, missing from edge.yaml", extra, empty());
    }

    @Test
    void theDocumentedErrorCodesAreTheOnesTheEdgeSends() throws IOException {
        assertThat(OpenApiCheck.load(DOCUMENT).errorCodes(), is(ErrorCodesDocumentedTest.emitted()));
        assertThat(OpenApiCheck.load(DOCUMENT).errorCodes(), is(ErrorCodesDocumentedTest.documented()));
    }

    /** Helidon's path templates as OpenAPI writes them: the console's {@code /{+path}} is one file name. */
    private static Set<String> normalized(Set<String> routes) {
        Set<String> out = new TreeSet<>();
        for (String r : routes) {
            out.add(r.replace("/{+path}", "/{file}"));
        }
        return out;
    }

    /**
     * {@code METHOD /path} of the first cell of each table row: "`GET`, `PUT /admin/tariff`" is two routes,
     * a query string is dropped.
     */
    static Set<String> apiMdRoutes() throws IOException {
        Set<String> routes = new TreeSet<>();
        Pattern cell = Pattern.compile("^\\| ((?:`[A-Z]+`, )*)`([A-Z]+) (/[^`?]*)[^`]*`");
        Pattern extraMethod = Pattern.compile("`([A-Z]+)`");
        for (String line : Files.readAllLines(API_DOC)) {
            Matcher m = cell.matcher(line);
            if (!m.find()) {
                continue;
            }
            routes.add(m.group(2) + " " + m.group(3));
            Matcher more = extraMethod.matcher(m.group(1));
            while (more.find()) {
                routes.add(more.group(1) + " " + m.group(3));
            }
        }
        return routes;
    }
}
