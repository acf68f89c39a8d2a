package org.openparking.platform.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.helidon.http.media.MediaContext;
import io.helidon.http.media.jackson.JacksonSupport;
import org.openparking.protocol.Json;

/**
 * The media context of every service's web server: Helidon's Jackson support on the project's one
 * {@link Json#mapper()}, so handlers send records ({@code res.send(body)}) and read them
 * ({@code req.content().as(Type.class)}) with the same instants and null rules as the messages. Request
 * bodies are typed a little more strictly than messages: a number is not a string, 1.5 is not a whole
 * number, and nothing may follow the body's one JSON value.
 */
public final class JsonMedia {
    private static final ObjectMapper MAPPER = strict(Json.mapper().copy());

    private JsonMedia() {
    }

    /** For {@code WebServer.builder().mediaContext(JsonMedia.context())}; no other media supports are discovered. */
    public static MediaContext context() {
        return MediaContext.builder()
                .mediaSupportsDiscoverServices(false)
                .addMediaSupport(new AnyAcceptJackson(JacksonSupport.create(MAPPER)))
                .build();
    }

    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        // `{"plate":"x"}}` or two bodies in one: refused, not read as its first value (the edge's fuzzing found
        // an entry accepted with a stray brace after it).
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return mapper;
    }
}
