package org.openparking.cloud.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import org.openparking.protocol.Json;

/** JSON bodies and the {@code {"error","message"}} shape, for the auth layer's own answers. */
public final class JsonResponses {
    private JsonResponses() {
    }

    public static void send(ServerResponse res, Status status, Object body) {
        try {
            byte[] bytes = Json.mapper().writeValueAsBytes(body);
            res.status(status);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write response", e);
        }
    }

    public static void error(ServerResponse res, Status status, String code, String message) {
        send(res, status, Map.of("error", code, "message", message));
    }
}
