package org.openparking.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.Locale;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.protocol.Json;

/** JSON in and out of the edge's HTTP API, with 400s that name what is wrong. */
final class JsonIo {
    static final ObjectMapper MAPPER = Json.mapper();

    private JsonIo() {
    }

    /** The request body as a JSON object; an empty body is an empty object. */
    static ObjectNode body(ServerRequest req) {
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        if (bytes.length == 0) {
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new ParkingException(Kind.BAD_REQUEST, "MALFORMED_JSON", "request body is not valid JSON");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new ParkingException(Kind.BAD_REQUEST, "MALFORMED_JSON", "request body must be a JSON object");
        }
        return obj;
    }

    static String optionalText(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", field + " must be a string");
        }
        return n.asText();
    }

    static String requiredText(ObjectNode body, String field) {
        String value = optionalText(body, field);
        if (value == null || value.isBlank()) {
            throw new ParkingException(Kind.BAD_REQUEST, "MISSING_FIELD", field + " is required");
        }
        return value;
    }

    static boolean requiredBoolean(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isBoolean()) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", field + " must be true or false");
        }
        return n.asBoolean();
    }

    static <E extends Enum<E>> E optionalEnum(ObjectNode body, String field, Class<E> type) {
        String value = optionalText(body, field);
        if (value == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", field + " must be one of "
                    + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    /** The {@code limit} query parameter, 1 to {@code max}; {@code fallback} when absent; 400 otherwise. */
    static int limit(ServerRequest req, int max, int fallback) {
        return req.query().first("limit").asOptional().map(s -> {
            try {
                int n = Integer.parseInt(s);
                if (n >= 1 && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_QUERY", "limit must be 1-" + max);
        }).orElse(fallback);
    }

    static void send(ServerResponse res, Status status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(bytes);
    }

    static void ok(ServerResponse res, Object body) {
        send(res, Status.OK_200, body);
    }
}
