package org.openparking.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads and writes envelopes. Compatibility rule: unknown fields are ignored (a newer sender may
 * add fields within the same schema version); an unknown type or a newer schema version is
 * rejected with a {@link ProtocolException}, which consumers dead-letter.
 */
public final class MessageCodec {
    private static final ObjectMapper MAPPER = Json.mapper();

    private MessageCodec() {
    }

    public static byte[] encode(Envelope envelope) {
        try {
            return MAPPER.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + envelope.type(), e);
        }
    }

    public static String encodeToString(Envelope envelope) {
        return new String(encode(envelope), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static Envelope decode(byte[] body) throws ProtocolException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new ProtocolException(ProtocolException.Reason.MALFORMED_JSON, e.getMessage(), e);
        }
        if (!(root instanceof ObjectNode)) {
            throw new ProtocolException(ProtocolException.Reason.MALFORMED_JSON, "envelope is not a JSON object", null);
        }
        String type = text(root, "type");
        int schemaVersion = root.path("schemaVersion").asInt(0);
        if (schemaVersion < 1) {
            throw new ProtocolException(ProtocolException.Reason.MISSING_FIELD, "schemaVersion missing or invalid", null);
        }
        if (schemaVersion > Envelope.SCHEMA_VERSION) {
            throw new ProtocolException(ProtocolException.Reason.UNSUPPORTED_SCHEMA_VERSION,
                    "schemaVersion " + schemaVersion + " is newer than " + Envelope.SCHEMA_VERSION, null);
        }
        Class<? extends Message> payloadClass = MessageType.classOf(type).orElseThrow(() ->
                new ProtocolException(ProtocolException.Reason.UNKNOWN_TYPE, "unknown message type " + type, null));
        JsonNode payloadNode = root.get("payload");
        if (payloadNode == null || !payloadNode.isObject()) {
            throw new ProtocolException(ProtocolException.Reason.MISSING_FIELD, "payload missing", null);
        }
        try {
            Message payload = MAPPER.treeToValue(payloadNode, payloadClass);
            Instant occurredAt = Instant.parse(text(root, "occurredAt"));
            return new Envelope(text(root, "id"), type, schemaVersion, text(root, "edgeId"), text(root, "lotId"),
                    text(root, "levelId"), root.path("seq").asLong(-1), occurredAt, payload);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ProtocolException.Reason.INVALID_PAYLOAD, rootCauseMessage(e), e);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ProtocolException(ProtocolException.Reason.INVALID_PAYLOAD, e.getMessage(), e);
        }
    }

    private static String text(JsonNode root, String field) throws ProtocolException {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new ProtocolException(ProtocolException.Reason.MISSING_FIELD, field + " missing", null);
        }
        return node.asText();
    }

    private static String rootCauseMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
