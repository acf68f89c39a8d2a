package org.openparking.cloud.http;

import io.helidon.webserver.http.HttpRouting;
import org.openparking.platform.json.HttpErrors;

/** The REST API under {@code /api/v1} and its error mapping. */
public final class ApiRouting {
    public static final String BASE = "/api/v1";

    private ApiRouting() {
    }

    public static void register(HttpRouting.Builder routing, FleetService fleet, SessionsService sessions,
                                PaymentsService payments, CommandsService commands) {
        ErrorMapping.register(routing);
        routing.register(BASE, fleet, sessions, payments, commands);
        // Unknown API paths get the same JSON error shape as everything else.
        routing.any(BASE + "/*", (req, res) -> HttpErrors.send(res, io.helidon.http.Status.NOT_FOUND_404, "NOT_FOUND",
                "no endpoint " + req.prologue().method().text() + " " + req.path().path()));
    }
}
