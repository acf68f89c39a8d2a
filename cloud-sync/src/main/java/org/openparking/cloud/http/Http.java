package org.openparking.cloud.http;

import io.helidon.webserver.http.ServerRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.cloud.auth.Principal;
import org.openparking.platform.json.JsonBodies;

/** Request bodies, query parameters and the caller of a request. */
final class Http {
    private Http() {
    }

    /** The request body as {@code type}; 400 if absent, not a JSON object or of the wrong shape. */
    static <T> T body(ServerRequest req, Class<T> type) {
        return JsonBodies.read(req, type, null);
    }

    static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(s -> !s.isBlank());
    }

    static Instant instantParam(ServerRequest req, String name) {
        Optional<String> v = query(req, name);
        if (v.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(v.get());
        } catch (DateTimeParseException e) {
            throw CloudException.invalid(name + " must be an ISO-8601 instant such as 2026-01-31T08:00:00Z, was "
                    + v.get());
        }
    }

    static int limitParam(ServerRequest req) {
        Optional<String> v = query(req, "limit");
        if (v.isEmpty()) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(v.get());
            if (limit < 1 || limit > 1000) {
                throw CloudException.invalid("limit must be between 1 and 1000, was " + limit);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw CloudException.invalid("limit must be a number, was " + v.get());
        }
    }

    /**
     * The lots the caller may see when it is a tenant, null for a platform user. Every list query takes
     * this and puts it in its SQL, so that {@code limit} counts only rows the caller may see.
     */
    static Set<String> visibleLots(ServerRequest req) {
        Principal p = caller(req);
        return p.platform() ? null : p.lots();
    }

    static String path(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    /** Who asked, as the gateway in front of the API authenticated it. */
    static Principal caller(ServerRequest req) {
        return AuthFilter.caller(req);
    }
}
