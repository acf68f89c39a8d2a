package org.openparking.payment;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.payment.webhook.StripeWebhookService;
import org.openparking.testing.OpenApiCheck;
import org.openparking.testing.TestHttp;

/**
 * The worker's OpenAPI document (src/main/resources/openapi/worker.yaml, served at /openapi.yaml) is valid for
 * an independent validator, names exactly the routes PaymentApplication.routing registers, and its error codes
 * are the ones written in the worker's sources and the platform's HTTP error mapping.
 */
class OpenApiDocumentTest extends WorkerTestBase {
    private static final Path DOCUMENT = Path.of("src/main/resources" + PaymentApplication.OPENAPI_RESOURCE);
    private static final String CODE = "\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)\"";
    private static final List<Pattern> EMITTERS = List.of(
            Pattern.compile("error\\(\\d+,\\s*" + CODE),
            Pattern.compile("HttpErrors\\.send\\(\\s*\\w+,\\s*(?:io\\.helidon\\.http\\.)?Status\\.\\w+,\\s*" + CODE),
            Pattern.compile("new ErrorBody\\(\\s*(?:[^,\"]*\\?\\s*" + CODE + "\\s*:\\s*)?" + CODE),
            Pattern.compile("case \\d+ -> new ErrorBody\\(" + CODE),
            Pattern.compile("new HttpErrors\\.BodyCodes\\(\\s*" + CODE + ",\\s*" + CODE));

    @Test
    void theServedDocumentIsTheCheckedOneValidAndRouteForRoute(@TempDir Path dir) throws Exception {
        PaymentApplication app = startWorker();
        try (TestHttp http = TestHttp.create()) {
            TestHttp.Response served = http.get("http://127.0.0.1:" + app.port() + "/openapi.yaml");
            assertThat(served.toString(), served.status(), is(200));
            assertThat(served.header("Content-Type"), startsWith("application/yaml"));
            assertThat("served == checked in", served.text(), is(Files.readString(DOCUMENT)));
            Path copy = dir.resolve("served-worker.yaml");
            Files.writeString(copy, served.text());
            String out = OpenApiCheck.validate(DOCUMENT, copy);
            assertThat(out, containsString("valid: " + DOCUMENT.toAbsolutePath() + " (OpenAPI 3.1.0"));
            assertThat(out, containsString("valid: " + copy.toAbsolutePath() + " (OpenAPI 3.1.0"));

            OpenApiCheck doc = OpenApiCheck.load(DOCUMENT);
            Set<String> registered = OpenApiCheck.registeredRoutes(
                    b -> PaymentApplication.routing(b, new StripeWebhookService(null, 1024), app.worker()));
            Set<String> undocumented = new TreeSet<>(registered);
            undocumented.removeAll(doc.routedOperations());
            assertThat("registered by the worker but missing from " + DOCUMENT, undocumented, empty());
            Set<String> unserved = new TreeSet<>(doc.routedOperations());
            unserved.removeAll(registered);
            assertThat("in " + DOCUMENT + " but registered nowhere", unserved, empty());
            for (String op : doc.featureOperations()) {
                assertThat(op, http.get("http://127.0.0.1:" + app.port() + op.substring(op.indexOf(' ') + 1))
                        .status(), is(200));
            }
        }
    }

    @Test
    void theDocumentedErrorCodesAreTheOnesTheWorkerSends() {
        Set<String> emitted = OpenApiCheck.codesIn(List.of(Path.of("src/main/java"),
                Path.of("../platform/src/main/java/org/openparking/platform/json")), EMITTERS);
        assertThat(emitted, hasItems("INVALID_SIGNATURE", "BODY_TOO_LARGE", "NOT_FOUND"));
        Set<String> documented = OpenApiCheck.load(DOCUMENT).errorCodes();
        Set<String> undocumented = new TreeSet<>(emitted);
        undocumented.removeAll(documented);
        assertThat("sent by the worker, missing from the Error enum of " + DOCUMENT, undocumented, empty());
        Set<String> neverSent = new TreeSet<>(documented);
        neverSent.removeAll(emitted);
        assertThat("in the Error enum of " + DOCUMENT + ", sent nowhere", neverSent, empty());
    }
}
