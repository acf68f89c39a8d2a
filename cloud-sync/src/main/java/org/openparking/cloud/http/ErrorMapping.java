package org.openparking.cloud.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.cloud.CloudException;

/** Domain exceptions to HTTP statuses, in one place. */
final class ErrorMapping {
    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());

    private ErrorMapping() {
    }

    static void register(HttpRouting.Builder routing) {
        routing.error(CloudException.class, (req, res, e) -> Http.error(res, status(e.kind()), e.code(),
                e.getMessage()));
        routing.error(IllegalArgumentException.class, (req, res, e) -> Http.error(res, Status.BAD_REQUEST_400,
                "INVALID_REQUEST", e.getMessage()));
        routing.error(SQLException.class, (req, res, e) -> {
            LOG.log(Level.WARNING, "database error on " + req.prologue(), e);
            Http.error(res, Status.SERVICE_UNAVAILABLE_503, "DATABASE_UNAVAILABLE", "PostgreSQL: " + e.getMessage());
        });
        registerFallback(routing);
    }

    /** The last resort: a JSON 500 that names no internals; the cause is logged. */
    static void registerFallback(HttpRouting.Builder routing) {
        routing.error(Exception.class, (req, res, e) -> {
            LOG.log(Level.SEVERE, "unexpected error on " + req.prologue(), e);
            Http.error(res, Status.INTERNAL_SERVER_ERROR_500, "INTERNAL_ERROR", "unexpected error, see the log");
        });
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
