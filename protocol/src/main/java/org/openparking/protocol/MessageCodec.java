package org.openparking.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Reads and writes envelopes. Compatibility rule: unknown fields are ignored (a newer sender may
 * add fields within the same schema version); an unknown type or a newer schema version is
 * rejected with a {@link ProtocolException}, which consumers dead-letter.
 *
 * <p>What it reads is read strictly ({@link Json#strictMapper()}, as HTTP bodies are), whatever the
 * message type, so each refusal names its reason:
 * <ul>
 *   <li>the body must be well-formed UTF-8 (no overlong forms such as {@code C0 AF}, no encoded
 *       surrogates, no UTF-16 or UTF-32) holding exactly one JSON object: {@code MALFORMED_JSON};</li>
 *   <li>a number or boolean is not text, text is not a number, 1.5 is not a whole number:
 *       {@code INVALID_PAYLOAD} (or {@code MISSING_FIELD} for the envelope's own fields);</li>
 *   <li>no text value is longer than its kind allows: a field named {@code plate} (and each of
 *       {@code plates}) {@link Checks#MAX_PLATE_LENGTH}, a field whose name ends in {@code Id} (and
 *       the envelope's ids) {@link Checks#MAX_ID_LENGTH}, any other text {@link Checks#MAX_TEXT_LENGTH}:
 *       {@code INVALID_PAYLOAD} naming the field.</li>
 * </ul>
 */
public final class MessageCodec {
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final ObjectMapper READER = Json.strictMapper();

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
            // Decoded first, strictly, then parsed as text: the parser alone decodes overlong UTF-8 and
            // detects UTF-16/32 by itself, so a plate could arrive as something the edge never sent.
            root = READER.readTree(utf8(body));
        } catch (IOException e) {
            throw new ProtocolException(ProtocolException.Reason.MALFORMED_JSON, e.getMessage(), e);
        }
        if (!(root instanceof ObjectNode)) {
            throw new ProtocolException(ProtocolException.Reason.MALFORMED_JSON, "envelope is not a JSON object", null);
        }
        checkLengths(root, null);
        String type = text(root, "type");
        JsonNode version = root.get("schemaVersion");
        int schemaVersion = version != null && version.isInt() ? version.intValue() : 0;
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
        JsonNode seq = root.get("seq");
        if (seq != null && !(seq.isIntegralNumber() && seq.canConvertToLong())) {
            throw new ProtocolException(ProtocolException.Reason.INVALID_PAYLOAD, "seq must be a whole number, was "
                    + seq.getNodeType(), null);
        }
        try {
            Message payload = READER.treeToValue(payloadNode, payloadClass);
            Instant occurredAt = Instant.parse(text(root, "occurredAt"));
            return new Envelope(text(root, "id"), type, schemaVersion, text(root, "edgeId"), text(root, "lotId"),
                    text(root, "levelId"), seq == null ? -1 : seq.longValue(), occurredAt, payload);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ProtocolException.Reason.INVALID_PAYLOAD, rootCauseMessage(e), e);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ProtocolException(ProtocolException.Reason.INVALID_PAYLOAD, e.getMessage(), e);
        }
    }

    private static String utf8(byte[] body) throws ProtocolException {
        try {
            return Json.strictUtf8(body);
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ProtocolException.Reason.MALFORMED_JSON,
                    "body is not valid UTF-8 (" + e.getMessage() + ")", e);
        }
    }

    /** Every text value within its kind's bound (see the class comment), whatever the message type. */
    private static void checkLengths(JsonNode node, String field) throws ProtocolException {
        if (node.isTextual()) {
            int max = maxLength(field);
            if (node.textValue().length() > max) {
                throw new ProtocolException(ProtocolException.Reason.INVALID_PAYLOAD, (field == null ? "a value" : field)
                        + " is longer than " + max + " characters (" + node.textValue().length() + ")", null);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                checkLengths(e.getValue(), e.getKey());
            }
        } else if (node.isArray()) {
            String element = "plates".equals(field) ? "plate" : field;
            for (JsonNode n : node) {
                checkLengths(n, element);
            }
        }
    }

    private static int maxLength(String field) {
        if (field == null) {
            return Checks.MAX_TEXT_LENGTH;
        }
        if (field.equals("plate")) {
            return Checks.MAX_PLATE_LENGTH;
        }
        if (field.equals("id") || field.endsWith("Id")) {
            return Checks.MAX_ID_LENGTH;
        }
        return Checks.MAX_TEXT_LENGTH;
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
