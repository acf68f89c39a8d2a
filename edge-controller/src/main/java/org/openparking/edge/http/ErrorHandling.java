package org.openparking.edge.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.ParkingException;
import org.openparking.platform.jdbc.StoreException;
import org.openparking.platform.json.ErrorBody;
import org.openparking.platform.json.HttpErrors;

/** The one place where failures become HTTP statuses: {@code {"error": CODE, "message": ...}}. */
public final class ErrorHandling {
    private static final Logger LOG = Logger.getLogger(ErrorHandling.class.getName());
    private static final HttpErrors.BodyCodes BODY_CODES = new HttpErrors.BodyCodes("MALFORMED_JSON", "INVALID_FIELD");

    private ErrorHandling() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(ParkingException.class, (req, res, e) -> HttpErrors.send(res, status(e.kind()),
                new ErrorBody(e.code(), e.getMessage(), e.details())));
        routing.error(StoreException.class, (req, res, e) -> {
            LOG.log(Level.SEVERE, "storage failure on " + req.prologue().uriPath().path(), e);
            HttpErrors.send(res, Status.SERVICE_UNAVAILABLE_503, "STORAGE_UNAVAILABLE",
                    "the level's database cannot be written; nothing was changed");
        });
        HttpErrors.register(routing, BODY_CODES);
    }

    static Status status(ParkingException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> Status.BAD_REQUEST_400;
            case UNAUTHORIZED -> Status.UNAUTHORIZED_401;
            case FORBIDDEN -> Status.FORBIDDEN_403;
            case NOT_FOUND -> Status.NOT_FOUND_404;
            case CONFLICT -> Status.CONFLICT_409;
            case PAYMENT_REQUIRED -> Status.PAYMENT_REQUIRED_402;
            case UNAVAILABLE -> Status.SERVICE_UNAVAILABLE_503;
        };
    }
}
