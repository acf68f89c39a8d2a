package org.openparking.edge.http;

import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.ParkingException;
import org.openparking.platform.jdbc.StoreException;

/** The one place where failures become HTTP statuses: {@code {"error": CODE, "message": ...}}. */
public final class ErrorHandling {
    private static final Logger LOG = Logger.getLogger(ErrorHandling.class.getName());

    private ErrorHandling() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(ParkingException.class, (req, res, e) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.code());
            body.put("message", e.getMessage());
            body.putAll(e.details());
            JsonIo.send(res, status(e.kind()), body);
        });
        routing.error(StoreException.class, (req, res, e) -> {
            LOG.log(Level.SEVERE, "storage failure on " + req.prologue().uriPath().path(), e);
            JsonIo.send(res, Status.SERVICE_UNAVAILABLE_503, error("STORAGE_UNAVAILABLE",
                    "the level's database cannot be written; nothing was changed"));
        });
        routing.error(RequestException.class, (req, res, e) -> {
            Status status = e.status();
            String code = status.code() == 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
            JsonIo.send(res, status, error(code, e.getMessage()));
        });
        routing.error(HttpException.class, (req, res, e) -> {
            // Helidon's own refusals (unknown path, wrong method): keep their status, answer in JSON.
            Status status = e.status();
            String code = status.code() == 404 ? "NOT_FOUND" : status.code() == 405 ? "METHOD_NOT_ALLOWED" : "HTTP_"
                    + status.code();
            JsonIo.send(res, status, error(code, status.code() == 404 ? "no such resource: "
                    + req.prologue().uriPath().path() : e.getMessage()));
        });
        routing.error(Exception.class, (req, res, e) -> {
            LOG.log(Level.SEVERE, "unexpected failure on " + req.prologue().uriPath().path(), e);
            JsonIo.send(res, Status.INTERNAL_SERVER_ERROR_500, error("INTERNAL_ERROR", "unexpected failure"));
        });
    }

    static Map<String, Object> error(String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return body;
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
