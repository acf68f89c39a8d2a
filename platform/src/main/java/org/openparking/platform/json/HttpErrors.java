package org.openparking.platform.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.media.jackson.JacksonRuntimeException;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Arrays;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * What every service maps the same way, registered once on its routing after its own domain
 * exceptions: a request body that is not JSON or does not fit its record (400 with the service's
 * codes), Helidon's own refusals (their status, JSON body), anything else (500 that names no internals;
 * the cause is logged). Helidon picks the handler of the closest exception class, so a service's own
 * mappings win over the fallback whatever the order of registration.
 */
public final class HttpErrors {
    private static final Logger LOG = Logger.getLogger(HttpErrors.class.getName());

    private HttpErrors() {
    }

    /**
     * The codes a service answers bad bodies with: {@code malformed} when the body is not a JSON object,
     * {@code invalidField} when a field has the wrong type or value.
     */
    public record BodyCodes(String malformed, String invalidField) {
        public BodyCodes {
            Objects.requireNonNull(malformed, "malformed");
            Objects.requireNonNull(invalidField, "invalidField");
        }
    }

    public static void register(HttpRouting.Builder routing, BodyCodes codes) {
        routing.error(JacksonRuntimeException.class, (req, res, e) -> send(res, Status.BAD_REQUEST_400,
                badBody(e, codes)));
        routing.error(JacksonException.class, (req, res, e) -> send(res, Status.BAD_REQUEST_400, badBody(e, codes)));
        routing.error(JsonBodies.MissingBodyException.class, (req, res, e) -> send(res, Status.BAD_REQUEST_400,
                new ErrorBody(codes.malformed(), e.getMessage())));
        routing.error(JsonBodies.MalformedBodyException.class, (req, res, e) -> send(res, Status.BAD_REQUEST_400,
                new ErrorBody(codes.malformed(), e.getMessage())));
        routing.error(RequestException.class, (req, res, e) -> send(res, e.status(),
                new ErrorBody(e.status().code() == 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", e.getMessage())));
        routing.error(HttpException.class, (req, res, e) -> send(res, e.status(), helidonRefusal(req, e)));
        routing.error(Exception.class, (req, res, e) -> {
            LOG.log(Level.SEVERE, "unexpected error on " + req.prologue(), e);
            send(res, Status.INTERNAL_SERVER_ERROR_500, new ErrorBody("INTERNAL_ERROR",
                    "unexpected error, see the log"));
        });
    }

    /**
     * Helidon's own refusals before any routing (a body over {@code max-payload-size}, a malformed request
     * line or header) as the same JSON error body instead of an empty 413 or 400: for
     * {@code WebServer.builder().directHandlers(HttpErrors.directHandlers())}.
     */
    public static DirectHandlers directHandlers() {
        DirectHandler json = (request, type, status, headers, message) -> {
            // Helidon reports a body over max-payload-size as a BAD_REQUEST event with status 413.
            ErrorBody body = status.code() == 413 ? new ErrorBody("PAYLOAD_TOO_LARGE",
                    "the request body is larger than this server accepts") : switch (type) {
                case PAYLOAD_TOO_LARGE -> new ErrorBody("PAYLOAD_TOO_LARGE", "the request body is larger than this server accepts");
                case INTERNAL_ERROR -> new ErrorBody("INTERNAL_ERROR", "unexpected error, see the log");
                case FORBIDDEN -> new ErrorBody("FORBIDDEN", "the request is refused");
                case HTTP_VERSION_NOT_SUPPORTED -> new ErrorBody("HTTP_VERSION_NOT_SUPPORTED", "HTTP/1.1 only");
                default -> new ErrorBody("BAD_REQUEST", "the request is not valid HTTP");
            };
            byte[] entity;
            try {
                entity = org.openparking.protocol.Json.mapper().writeValueAsBytes(body);
            } catch (JacksonException e) {
                entity = new byte[0];
            }
            return DirectHandler.TransportResponse.builder().status(status).headers(headers)
                    .header(HeaderNames.CONTENT_TYPE, "application/json").entity(entity).build();
        };
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, json);
        }
        return handlers.build();
    }

    /** Sends {@code body} with {@code status}; for filters and handlers that answer an error themselves. */
    public static void send(ServerResponse res, Status status, ErrorBody body) {
        res.status(status);
        res.send(body);
    }

    public static void send(ServerResponse res, Status status, String code, String message) {
        send(res, status, new ErrorBody(code, message));
    }

    /**
     * From a filter that answers instead of proceeding: the body is streamed by the media support, so the
     * response is committed here, as Helidon requires a filter that does not proceed to leave it sent.
     */
    public static void send(RoutingResponse res, Status status, ErrorBody body) {
        res.status(status);
        res.send(body);
        res.commit();
    }

    public static void send(RoutingResponse res, Status status, String code, String message) {
        send(res, status, new ErrorBody(code, message));
    }

    /** A body Jackson could not read, as an error that names the field and what it must be. */
    static ErrorBody badBody(Throwable e, BodyCodes codes) {
        Throwable t = e;
        while (t != null && !(t instanceof JacksonException)) {
            t = t.getCause() == t ? null : t.getCause();
        }
        if (t instanceof ValueInstantiationException v && v.getCause() != null) {
            // The record's compact constructor refused a value: its message says which and why.
            return new ErrorBody(codes.invalidField(), v.getCause().getMessage());
        }
        if (t instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = path(m);
            return new ErrorBody(codes.invalidField(), field + " must be " + expected(m.getTargetType()));
        }
        return new ErrorBody(codes.malformed(), "the request body must be a JSON object"
                + (t == null ? "" : ": " + ((JacksonException) t).getOriginalMessage()));
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
            } else {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf)
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "a " + type.getSimpleName();
    }

    private static ErrorBody helidonRefusal(ServerRequest req, HttpException e) {
        int code = e.status().code();
        return switch (code) {
            case 404 -> new ErrorBody("NOT_FOUND", "no such resource: " + req.prologue().uriPath().path());
            case 405 -> new ErrorBody("METHOD_NOT_ALLOWED", e.getMessage());
            default -> new ErrorBody("HTTP_" + code, e.getMessage());
        };
    }
}
