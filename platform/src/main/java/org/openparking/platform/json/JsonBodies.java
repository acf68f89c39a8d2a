package org.openparking.platform.json;

import io.helidon.webserver.http.ServerRequest;
import java.util.function.Supplier;

/** Request bodies as records, through the server's Jackson media support; failures are mapped by {@link HttpErrors}. */
public final class JsonBodies {
    private JsonBodies() {
    }

    /**
     * The body as {@code type}; {@code whenEmpty} when the request has none (null: a body is required).
     * A body that is not a JSON object, or a field of the wrong type, is a 400 with the service's codes.
     */
    public static <T> T read(ServerRequest req, Class<T> type, Supplier<T> whenEmpty) {
        if (!req.content().hasEntity()) {
            if (whenEmpty == null) {
                throw new MissingBodyException("a JSON body is required");
            }
            return whenEmpty.get();
        }
        T body = req.content().as(type);
        if (body == null) {
            throw new MissingBodyException("the request body must be a JSON object");
        }
        return body;
    }

    /** A body that is not well-formed UTF-8 (see {@link AnyAcceptJackson}). */
    static final class MalformedBodyException extends RuntimeException {
        MalformedBodyException(String message) {
            super(message);
        }
    }

    /** No body, or the JSON literal {@code null}, where an object is required. */
    static final class MissingBodyException extends RuntimeException {
        MissingBodyException(String message) {
            super(message);
        }
    }
}
