package org.openparking.edge.http;

import io.helidon.webserver.http.ServerRequest;
import java.util.Arrays;
import java.util.Locale;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;

/**
 * Checks on request fields the records cannot make themselves: booleans, enums read case-insensitively,
 * the {@code limit} query parameter. Types are checked when the body is read ({@code HttpErrors}).
 */
final class Requests {
    private Requests() {
    }

    static boolean requiredBoolean(String field, Boolean value) {
        if (value == null) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", field + " must be true or false");
        }
        return value;
    }

    static <E extends Enum<E>> E optionalEnum(String field, String value, Class<E> type) {
        if (value == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", field + " must be one of "
                    + Arrays.toString(type.getEnumConstants()));
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
}
