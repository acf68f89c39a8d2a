package org.openparking.platform.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.media.MediaContext;
import io.helidon.http.media.jackson.JacksonSupport;
import org.openparking.protocol.Json;

/**
 * The media context of every service's web server: Helidon's Jackson support on the project's one
 * {@link Json#mapper()}, so handlers send records ({@code res.send(body)}) and read them
 * ({@code req.content().as(Type.class)}) with the same instants and null rules as the messages. Request
 * bodies are read as strictly as the message codec reads messages ({@link Json#strictMapper()}): a number is
 * not a string, 1.5 is not a whole number, and nothing may follow the body's one JSON value.
 */
public final class JsonMedia {
    private static final ObjectMapper MAPPER = Json.strictMapper();

    private JsonMedia() {
    }

    /** For {@code WebServer.builder().mediaContext(JsonMedia.context())}; no other media supports are discovered. */
    public static MediaContext context() {
        return MediaContext.builder()
                .mediaSupportsDiscoverServices(false)
                .addMediaSupport(new AnyAcceptJackson(JacksonSupport.create(MAPPER)))
                .build();
    }
}
