package org.openparking.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generated hostile message bodies, made from one valid envelope (as the codec writes it): malformed
 * (cut short, garbage, not an object, content after the envelope), wrongly typed (every field of the
 * envelope and its payload, at any depth, given a value of another JSON type), oversized (every text
 * field past its bound, an added field of 4-100 KB, arrays nested thousands deep) and wrongly encoded
 * (invalid and overlong UTF-8 inside a text value, UTF-16/32 and Latin-1 bodies). None of them is a
 * message any consumer may apply; each test adds the out-of-order and wrongly addressed kinds of its own
 * door. The fields are found by walking the valid body, so a new message type needs no change here.
 */
public final class HostileMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HostileMessages() {
    }

    /** One hostile body and what kind of hostility it is. */
    public record Hostile(String kind, byte[] body) {
        @Override
        public String toString() {
            return kind + " (" + body.length + " bytes) "
                    + new String(body, 0, Math.min(400, body.length), StandardCharsets.ISO_8859_1);
        }
    }

    /** A hostile body and the broker user it is published as (null: no {@code user_id}). */
    public record Authored(Hostile hostile, String userId) {
        @Override
        public String toString() {
            return hostile + (userId == null ? " (no user_id)" : "");
        }
    }

    /**
     * Well-formed envelopes a door must refuse by their envelope alone, each from one of {@code valid}: a type no
     * message has ({@code unknownType}), a schema version newer than the codec's, and a valid one without an author.
     */
    public static Arbitrary<Authored> misaddressed(List<String> valid, String unknownType, String user) {
        Arbitrary<String> template = Arbitraries.of(valid);
        Arbitrary<Authored> anonymous = template.map(v -> new Authored(new Hostile("no author", bytes(v)), null));
        Arbitrary<Authored> unknown = template.map(v -> new Authored(new Hostile("unknown type",
                bytes(v.replaceFirst("\"type\":\"[^\"]+\"", "\"type\":\"" + unknownType + "\""))), user));
        Arbitrary<Authored> newer = Arbitraries.integers().between(2, 1_000).flatMap(n -> template.map(v ->
                new Authored(new Hostile("schema " + n, bytes(v.replace("\"schemaVersion\":1",
                        "\"schemaVersion\":" + n))), user)));
        return Arbitraries.oneOf(anonymous, unknown, newer);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every kind, from {@code valid}: the bodies of one or more valid envelopes of the door. */
    public static Arbitrary<Hostile> from(List<String> valid) {
        Arbitrary<String> template = Arbitraries.of(valid);
        return Arbitraries.oneOf(
                template.flatMap(HostileMessages::malformed).map(b -> new Hostile("malformed", b)),
                template.flatMap(HostileMessages::wronglyTyped).map(b -> new Hostile("wrongly typed", b)),
                template.flatMap(HostileMessages::oversized).map(b -> new Hostile("oversized", b)),
                template.flatMap(HostileMessages::wronglyEncoded).map(b -> new Hostile("wrongly encoded", b)));
    }

    public static Arbitrary<byte[]> malformed(String valid) {
        Arbitrary<String> cut = Arbitraries.integers().between(0, valid.length() - 2).map(n -> valid.substring(0, n));
        Arbitrary<String> garbage = Arbitraries.strings().ofMinLength(0).ofMaxLength(300)
                .filter(s -> !s.strip().startsWith("{"));
        Arbitrary<String> notObject = Arbitraries.of("", " ", "[]", "null", "42", "\"x\"", "true", "[" + valid + "]",
                "[" + valid + "," + valid + "]");
        Arbitrary<String> trailing = Arbitraries.of("}", "]", " 42", "x", ",", valid, " " + valid, "{}", "null")
                .map(t -> valid + t);
        return Arbitraries.oneOf(cut, garbage, notObject, trailing).map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    /** A field at any depth of the valid body given a value of another JSON type. */
    public static Arbitrary<byte[]> wronglyTyped(String valid) {
        List<Field> fields = fields(valid);
        return Arbitraries.of(fields).flatMap(f -> Arbitraries.of(wrongValuesFor(f.value())).map(v ->
                replace(valid, f.path(), v)));
    }

    private static List<String> wrongValuesFor(JsonNode value) {
        if (value.isTextual()) {
            // Numbers (0 and 1 too: an enum is text on the wire, not its index), booleans and structures.
            return List.of("0", "1", "42", "-7", "1.5", "99999999999999999999999", "true", "false", "[]", "{}",
                    JSON.createArrayNode().add(value.textValue()).toString(), "{\"$gt\":\"\"}");
        }
        if (value.isIntegralNumber()) {
            return List.of("\"" + value.asText() + "\"", "1.5", "-0.5", "1e3", "true", "[]", "{}", "[1]",
                    "99999999999999999999999999");
        }
        if (value.isNumber()) {
            // A decimal (a coordinate): as text, as other types, and numbers no double holds.
            return List.of("\"" + value.asText() + "\"", "true", "[]", "{}", "[" + value.asText() + "]",
                    "\"NaN\"", "1e999");
        }
        if (value.isBoolean()) {
            return List.of("\"" + value.asText() + "\"", "0", "1", "[]", "{}", "\"yes\"");
        }
        if (value.isObject()) {
            return List.of("\"x\"", "42", "[]", "true", "[{}]");
        }
        if (value.isArray()) {
            return List.of("\"x\"", "42", "{}", "true", "[[]]", "[{}]", "[1]");
        }
        throw new IllegalArgumentException("no wrong value for " + value);
    }

    /** Every text field past its bound (plates 32, ids 200, other text 4,096), an added huge field, deep nesting. */
    public static Arbitrary<byte[]> oversized(String valid) {
        List<Field> text = fields(valid).stream().filter(f -> f.value().isTextual()).toList();
        Arbitrary<String> longText = Arbitraries.of(text).flatMap(f -> {
            String name = f.path().getLast();
            int bound = name.equals("plate") ? 32 : name.equals("id") || name.endsWith("Id") ? 200 : 4096;
            return Arbitraries.integers().between(bound + 1, 50_000).map(n ->
                    new String(replace(valid, f.path(), JSON.valueToTree("x".repeat(n)).toString()),
                            StandardCharsets.UTF_8));
        });
        Arbitrary<String> added = Arbitraries.integers().between(4_097, 100_000).map(n ->
                valid.replaceFirst("\\{", java.util.regex.Matcher.quoteReplacement("{\"addedLater\":\"" + "y".repeat(n) + "\",")));
        Arbitrary<String> deep = Arbitraries.integers().between(1_001, 5_000).map(n ->
                valid.replaceFirst("\\{", java.util.regex.Matcher.quoteReplacement(
                        "{\"addedLater\":" + "[".repeat(n) + "]".repeat(n) + ",")));
        return Arbitraries.oneOf(longText, added, deep).map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    public static Arbitrary<byte[]> wronglyEncoded(String valid) {
        List<Field> text = fields(valid).stream().filter(f -> f.value().isTextual() && !f.value().textValue().isEmpty())
                .toList();
        Arbitrary<byte[]> bad = Arbitraries.of(
                new byte[] {(byte) 0xff}, new byte[] {(byte) 0xfe}, new byte[] {(byte) 0xc3, (byte) 0x28},
                new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0x80}, new byte[] {0},
                new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xc1, (byte) 0xbf},
                new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, new byte[] {(byte) 0xf0, (byte) 0x80, (byte) 0x80, (byte) 0xaf},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xed, (byte) 0xbf, (byte) 0xbf},
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});
        Arbitrary<byte[]> inside = Combinators.combine(Arbitraries.of(text), bad).as((f, b) -> {
            String marker = "\u0001MARK\u0001";
            String marked = new String(replace(valid, f.path(), JSON.valueToTree(marker + f.value().textValue()).toString()),
                    StandardCharsets.UTF_8);
            int at = marked.indexOf("\\u0001MARK\\u0001");
            return inserted(marked.substring(0, at) + marked.substring(at + "\\u0001MARK\\u0001".length()), at, b);
        });
        Arbitrary<byte[]> otherCharset = Arbitraries.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
                StandardCharsets.UTF_16, Charset.forName("UTF-32BE"), Charset.forName("UTF-32LE")).map(valid::getBytes);
        Arbitrary<byte[]> latin1 = Combinators.combine(Arbitraries.of(text), Arbitraries.of("\u00e9", "\u00c9-1", "\u00ff\u00fe", "\u00df"))
                .as((f, p) -> replace(valid, f.path(), JSON.valueToTree(p + f.value().textValue()).toString()))
                .map(b -> new String(b, StandardCharsets.UTF_8).getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.oneOf(inside, otherCharset, latin1);
    }

    /** {@code text} as UTF-8 with {@code bytes} (not UTF-8, as a rule) put in before its character {@code at}. */
    public static byte[] inserted(String text, int at, byte[] bytes) {
        byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = text.substring(at).getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + bytes.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bytes, 0, all, head.length, bytes.length);
        System.arraycopy(tail, 0, all, head.length + bytes.length, tail.length);
        return all;
    }

    /** A field of the body: its path of names from the root, and its value there. */
    record Field(List<String> path, JsonNode value) {
    }

    static List<Field> fields(String json) {
        List<Field> out = new ArrayList<>();
        try {
            walk(JSON.readTree(json), new ArrayList<>(), out);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a valid body: " + json, e);
        }
        return out;
    }

    private static void walk(JsonNode node, List<String> path, List<Field> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            if (!e.getValue().isNull()) {
                out.add(new Field(List.copyOf(p), e.getValue()));
            }
            if (e.getValue().isObject()) {
                walk(e.getValue(), p, out);
            }
        }
    }

    /** The body with the field at {@code path} set to the raw JSON {@code rawValue}. */
    static byte[] replace(String json, List<String> path, String rawValue) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(json);
            ObjectNode parent = root;
            for (String name : path.subList(0, path.size() - 1)) {
                parent = (ObjectNode) parent.get(name);
            }
            parent.set(path.getLast(), rawNode(rawValue));
            return JSON.writeValueAsBytes(root);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode rawNode(String raw) throws java.io.IOException {
        return JSON.readTree(raw);
    }
}
