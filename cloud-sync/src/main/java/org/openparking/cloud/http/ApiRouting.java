package org.openparking.cloud.http;

import io.helidon.webserver.http.HttpRouting;
import org.openparking.platform.json.HttpErrors;

/** The REST API under {@code /api/v1} and its error mapping. */
public final class ApiRouting {
    public static final String BASE = "/api/v1";
    /** The OpenAPI 3.1 document of cloud-sync's HTTP API, checked against the routes by the test suite. */
    public static final String OPENAPI_RESOURCE = "/openapi/cloud.yaml";
    private static final byte[] OPENAPI = openapi();

    private ApiRouting() {
    }

    private static byte[] openapi() {
        try (java.io.InputStream in = ApiRouting.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void register(HttpRouting.Builder routing, FleetService fleet, SessionsService sessions,
                                PaymentsService payments, CommandsService commands, HistoryService history) {
        ErrorMapping.register(routing);
        routing.get("/openapi.yaml", (req, res) -> res.header(io.helidon.http.HeaderNames.CONTENT_TYPE,
                "application/yaml").send(OPENAPI));
        routing.register(BASE, fleet, sessions, payments, commands, history);
        // Unknown API paths get the same JSON error shape as everything else.
        routing.any(BASE + "/*", (req, res) -> HttpErrors.send(res, io.helidon.http.Status.NOT_FOUND_404, "NOT_FOUND",
                "no endpoint " + req.prologue().method().text() + " " + req.path().path()));
    }
}
