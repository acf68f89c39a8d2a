package org.openparking.platform.json;

import io.helidon.common.GenericType;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.http.media.MediaContext;
import io.helidon.http.media.MediaSupport;

/**
 * Jackson support that answers JSON whatever the request's {@code Accept} and reads a body whatever its
 * {@code Content-Type}, as the services did before they used media support: an EventSource that accepts
 * only {@code text/event-stream} still gets its JSON 401, and a terminal that posts without a content type
 * is still understood.
 */
final class AnyAcceptJackson implements MediaSupport {
    private static final Headers NO_NEGOTIATION = WritableHeaders.create();

    private final MediaSupport jackson;

    AnyAcceptJackson(MediaSupport jackson) {
        this.jackson = jackson;
    }

    @Override
    public void init(MediaContext context) {
        jackson.init(context);
    }

    @Override
    public <T> ReaderResponse<T> reader(GenericType<T> type, Headers requestHeaders) {
        if (plain(type)) {
            return ReaderResponse.unsupported();
        }
        ReaderResponse<T> inner = jackson.reader(type, NO_NEGOTIATION);
        return new ReaderResponse<>(inner.support(), () -> new StrictUtf8Reader<>(inner.supplier().get()));
    }

    /**
     * The body is decoded as strict UTF-8 before Jackson reads it: the reader decodes with replacement
     * (a Latin-1 byte became U+FFFD and was stored) and the parser accepts overlong forms, so an invalid
     * body is refused as malformed instead (cloud-sync's hostile-input property found the stored U+FFFD).
     */
    private record StrictUtf8Reader<T>(io.helidon.http.media.EntityReader<T> inner)
            implements io.helidon.http.media.EntityReader<T> {
        @Override
        public T read(GenericType<T> type, java.io.InputStream stream, Headers headers) {
            return inner.read(type, checked(stream), NO_NEGOTIATION);
        }

        @Override
        public T read(GenericType<T> type, java.io.InputStream stream, Headers requestHeaders, Headers responseHeaders) {
            return inner.read(type, checked(stream), NO_NEGOTIATION, responseHeaders);
        }

        private static java.io.InputStream checked(java.io.InputStream stream) {
            byte[] body;
            try {
                body = stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try {
                org.openparking.protocol.Json.strictUtf8(body);
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new JsonBodies.MalformedBodyException("the request body is not valid UTF-8");
            }
            return new java.io.ByteArrayInputStream(body);
        }
    }

    @Override
    public <T> WriterResponse<T> writer(GenericType<T> type, Headers requestHeaders,
                                        WritableHeaders<?> responseHeaders) {
        if (plain(type)) {
            return WriterResponse.unsupported();
        }
        if (!responseHeaders.contains(HeaderNames.CONTENT_TYPE)) {
            responseHeaders.set(HeaderNames.CONTENT_TYPE, "application/json");
        }
        return jackson.writer(type, NO_NEGOTIATION, responseHeaders);
    }

    // Text and streams keep Helidon's own supports (static files, SSE, plain-text answers).
    private static boolean plain(GenericType<?> type) {
        Class<?> raw = type.rawType();
        return CharSequence.class.isAssignableFrom(raw) || raw == byte[].class
                || java.io.InputStream.class.isAssignableFrom(raw) || java.nio.file.Path.class.isAssignableFrom(raw);
    }

    @Override
    public <T> ReaderResponse<T> reader(GenericType<T> type, Headers requestHeaders, Headers responseHeaders) {
        return jackson.reader(type, requestHeaders, responseHeaders);
    }

    @Override
    public <T> WriterResponse<T> writer(GenericType<T> type, WritableHeaders<?> requestHeaders) {
        return jackson.writer(type, requestHeaders);
    }

    @Override
    public String name() {
        return jackson.name();
    }

    @Override
    public String type() {
        return jackson.type();
    }
}
