package org.openparking.cloud.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.cloud.CloudException;
import org.openparking.platform.json.HttpErrors;

/** Domain exceptions to HTTP statuses, in one place; what every service maps alike is {@link HttpErrors}. */
final class ErrorMapping {
    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());
    private static final HttpErrors.BodyCodes BODY_CODES = new HttpErrors.BodyCodes("INVALID_REQUEST",
            "INVALID_REQUEST");

    private ErrorMapping() {
    }

    static void register(HttpRouting.Builder routing) {
        routing.error(CloudException.class, (req, res, e) -> HttpErrors.send(res, status(e.kind()), e.code(),
                e.getMessage()));
        routing.error(IllegalArgumentException.class, (req, res, e) -> HttpErrors.send(res, Status.BAD_REQUEST_400,
                "INVALID_REQUEST", e.getMessage()));
        routing.error(SQLException.class, (req, res, e) -> {
            // PostgreSQL's text names tables, columns and values: it goes to the log, never to the caller.
            LOG.log(Level.WARNING, "database error on " + req.prologue() + " (SQL state " + e.getSQLState() + ")", e);
            HttpErrors.send(res, Status.SERVICE_UNAVAILABLE_503, "DATABASE_UNAVAILABLE",
                    "the database could not complete the request; try again later");
        });
        HttpErrors.register(routing, BODY_CODES);
    }

    static Status status(CloudException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> Status.NOT_FOUND_404;
            case CONFLICT -> Status.CONFLICT_409;
            case INVALID -> Status.BAD_REQUEST_400;
            case UNAVAILABLE -> Status.SERVICE_UNAVAILABLE_503;
        };
    }
}
