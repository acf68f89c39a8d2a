package org.openparking.cloud.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.openparking.cloud.CloudException;
import org.openparking.protocol.Json;

/** JSON in and out, query parameters and the operator of a request. */
final class Http {
    /**
     * Context key under which {@code AuthFilter} puts the caller's name; {@link #ANONYMOUS} only
     * where no filter ran (the routing without a gateway).
     */
    static final String OPERATOR_KEY = "parking.operator";
    static final String ANONYMOUS = "anonymous";

    private Http() {
    }

    static void json(ServerResponse res, Status status, Object body) {
        byte[] bytes;
        try {
            // A tenant's list responses keep only its own lots' rows (see RequestScope).
            bytes = Json.mapper().writeValueAsBytes(org.openparking.cloud.auth.RequestScope.visible(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write response", e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(bytes);
    }

    static void ok(ServerResponse res, Object body) {
        json(res, Status.OK_200, body);
    }

    static void error(ServerResponse res, Status status, String code, String message) {
        json(res, status, new ErrorBody(code, message));
    }

    /** The error shape of every API: {@code {"error":"CODE","message":"..."}}. */
    record ErrorBody(String error, String message) {
    }

    /** The request body as a JSON object; 400 if absent or not an object. */
    static JsonNode body(ServerRequest req) {
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        if (bytes.length == 0) {
            throw CloudException.invalid("a JSON body is required");
        }
        try {
            JsonNode node = Json.mapper().readTree(bytes);
            if (node == null || !node.isObject()) {
                throw CloudException.invalid("the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw CloudException.invalid("malformed JSON: " + rootMessage(e));
        }
    }

    static <T> T body(ServerRequest req, Class<T> type) {
        JsonNode node = body(req);
        try {
            return Json.mapper().treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw CloudException.invalid("invalid " + type.getSimpleName() + ": " + rootMessage(e));
        }
    }

    static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw CloudException.invalid(field + " must be a string");
        }
        return Optional.of(v.asText());
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
     * The lots the caller may see when it is a tenant, null for a platform user (or no caller). List
     * queries put this in their SQL, so that {@code limit} counts only rows the caller may see.
     */
    static java.util.Set<String> visibleLots() {
        return org.openparking.cloud.auth.RequestScope.caller().filter(p -> !p.platform())
                .map(org.openparking.cloud.auth.Principal::lots).orElse(null);
    }

    static String path(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    /** Who asked: set by the auth filter in front of the API. */
    static String operator(ServerRequest req) {
        return req.context().get(OPERATOR_KEY, String.class).orElse(ANONYMOUS);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
