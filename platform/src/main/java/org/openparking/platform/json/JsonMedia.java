package org.openparking.platform.json;

import io.helidon.http.media.MediaContext;
import io.helidon.http.media.jackson.JacksonSupport;
import org.openparking.protocol.Json;

/**
 * The media context of every service's web server: Helidon's Jackson support on the project's one
 * {@link Json#mapper()}, so handlers send records ({@code res.send(body)}) and read them
 * ({@code req.content().as(Type.class)}) with the same instants, coercion and null rules as the messages.
 */
public final class JsonMedia {
    private JsonMedia() {
    }

    /** For {@code WebServer.builder().mediaContext(JsonMedia.context())}; no other media supports are discovered. */
    public static MediaContext context() {
        return MediaContext.builder()
                .mediaSupportsDiscoverServices(false)
                .addMediaSupport(new AnyAcceptJackson(JacksonSupport.create(Json.mapper())))
                .build();
    }
}
