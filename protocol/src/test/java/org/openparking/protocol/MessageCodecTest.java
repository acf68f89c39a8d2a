package org.openparking.protocol;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
    private static final Instant T = SampleMessages.T;

    private static Envelope envelope(Message payload) {
        return SampleMessages.envelope(payload);
    }

    @Test
    void everyMessageTypeRoundTrips() throws Exception {
        List<Message> all = new ArrayList<>(SampleMessages.everyType());
        all.addAll(SampleMessages.withNulls());
        for (Message m : all) {
            Envelope e = envelope(m);
            Envelope back = MessageCodec.decode(MessageCodec.encode(e));
            assertThat(m.type(), back, is(e));
        }
    }

    @Test
    void laneRulesRefuseWhatAGateCouldNotDecideOn() {
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules(0, T, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Permit("p1", null, " ", null, null,
                null, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Permit("p1", null,
                "4111 1111 1111 1111", null, null, null, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Account("XY9", "4111111111111111"));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Reservation("r1", "AB1", null, T, T,
                null, false));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.Pool("acme", 2, Map.of("L0", -1)));
        assertThrows(IllegalArgumentException.class, () -> new UpdateLaneRules.ReservationKey("k1", "bm90LWEta2V5"));
        assertThat(new UpdateLaneRules.Pool("acme", 3, Map.of("L0", 1)).shareOf("L1"), is(3));
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String json = MessageCodec.encodeToString(envelope(new LaneChanged("in-1", "OPEN", 1, T)))
                .replace("\"laneId\"", "\"addedLater\":42,\"laneId\"");
        Envelope back = MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(((LaneChanged) back.payload()).laneId(), is("in-1"));
    }

    @Test
    void unknownTypeIsRejectedWithReason() {
        String json = MessageCodec.encodeToString(envelope(new LaneChanged("in-1", "OPEN", 1, T)))
                .replace("lane.changed", "lane.teleported");
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason(), is(ProtocolException.Reason.UNKNOWN_TYPE));
    }

    @Test
    void newerSchemaVersionIsRejected() {
        String json = MessageCodec.encodeToString(envelope(new LaneChanged("in-1", "OPEN", 1, T)))
                .replace("\"schemaVersion\":1", "\"schemaVersion\":2");
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason(), is(ProtocolException.Reason.UNSUPPORTED_SCHEMA_VERSION));
    }

    @Test
    void malformedAndInvalidPayloadsAreRejected() {
        ProtocolException bad = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode("{not json".getBytes(StandardCharsets.UTF_8)));
        assertThat(bad.reason(), is(ProtocolException.Reason.MALFORMED_JSON));

        String negative = MessageCodec.encodeToString(envelope(
                new PaymentRequested("p1", "s1", 250, "EUR", "pm", false, null))).replace("\"amount\":250", "\"amount\":-5");
        ProtocolException invalid = assertThrows(ProtocolException.class,
                () -> MessageCodec.decode(negative.getBytes(StandardCharsets.UTF_8)));
        assertThat(invalid.reason(), is(ProtocolException.Reason.INVALID_PAYLOAD));
        assertThat(invalid.getMessage(), containsString("amount must be positive"));
    }

    @Test
    void paymentTokenStaysOutOfToString() {
        PaymentRequested p = new PaymentRequested("p1", "s1", 250, "EUR", "pm_secret_token", false, null);
        assertThat(p.toString().contains("pm_secret_token"), is(false));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ProtocolException refused(byte[] body) {
        return assertThrows(ProtocolException.class, () -> MessageCodec.decode(body));
    }

    private static String opened(String plate) {
        return MessageCodec.encodeToString(envelope(new SessionOpened("s1", "in-1", plate, VehicleType.EV, T, 1)));
    }

    @Test
    void contentAfterTheEnvelopeIsRefusedButWhitespaceIsNot() throws Exception {
        String one = opened("AB123");
        assertThat(refused(utf8(one + "}")).reason(), is(ProtocolException.Reason.MALFORMED_JSON));
        ProtocolException two = refused(utf8(one + one));
        assertThat(two.reason(), is(ProtocolException.Reason.MALFORMED_JSON));
        assertThat(two.getMessage(), containsString("Trailing token"));
        assertThat(refused(utf8(one + " 42")).reason(), is(ProtocolException.Reason.MALFORMED_JSON));
        assertThat(((SessionOpened) MessageCodec.decode(utf8(" " + one + "\r\n")).payload()).plate(), is("AB123"));
    }

    @Test
    void overlongUtf8EncodedSurrogatesAndOtherCharsetsAreRefused() throws Exception {
        String json = opened("AB123");
        int at = json.indexOf("AB123");
        for (byte[] bad : List.of(new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80})) {
            byte[] head = utf8(json.substring(0, at));
            byte[] tail = utf8(json.substring(at));
            byte[] body = new byte[head.length + bad.length + tail.length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(bad, 0, body, head.length, bad.length);
            System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
            ProtocolException e = refused(body);
            assertThat(e.reason(), is(ProtocolException.Reason.MALFORMED_JSON));
            assertThat(e.getMessage(), containsString("not valid UTF-8"));
        }
        assertThat(refused(json.getBytes(StandardCharsets.UTF_16BE)).reason(), is(ProtocolException.Reason.MALFORMED_JSON));
        assertThat(refused(json.getBytes(StandardCharsets.UTF_16LE)).reason(), is(ProtocolException.Reason.MALFORMED_JSON));
        assertThat(refused(json.getBytes(java.nio.charset.Charset.forName("UTF-32"))).reason(),
                is(ProtocolException.Reason.MALFORMED_JSON));
        // Real non-ASCII text, four-byte forms included, is read as sent.
        Envelope e = envelope(new OpenBarrier("out-1", "Schranke klemmt, Fahrer wartet \u00e9\u00df \ud83d\ude97", "z\u00f6e"));
        assertThat(MessageCodec.decode(MessageCodec.encode(e)), is(e));
    }

    @Test
    void aScalarOfTheWrongTypeIsRefusedNotConverted() {
        String json = opened("AB123");
        for (String wrong : List.of(json.replace("\"laneId\":\"in-1\"", "\"laneId\":99999999999999999999999"),
                json.replace("\"laneId\":\"in-1\"", "\"laneId\":12"),
                json.replace("\"plate\":\"AB123\"", "\"plate\":true"),
                json.replace("\"sessionId\":\"s1\"", "\"sessionId\":1.5"),
                json.replace("\"tariffVersion\":1", "\"tariffVersion\":\"1\""),
                json.replace("\"tariffVersion\":1", "\"tariffVersion\":1.5"))) {
            assertThat(wrong, wrong.equals(json), is(false));
            ProtocolException e = refused(utf8(wrong));
            assertThat(wrong, e.reason(), is(ProtocolException.Reason.INVALID_PAYLOAD));
        }
        String payment = MessageCodec.encodeToString(envelope(new PaymentRequested("p1", "s1", 250, "EUR", "pm", false, null)));
        assertThat(refused(utf8(payment.replace("\"amount\":250", "\"amount\":\"250\""))).reason(),
                is(ProtocolException.Reason.INVALID_PAYLOAD));
        assertThat(refused(utf8(payment.replace("\"deferred\":false", "\"deferred\":\"false\""))).reason(),
                is(ProtocolException.Reason.INVALID_PAYLOAD));
        // The envelope's own numbers too.
        assertThat(refused(utf8(json.replace("\"schemaVersion\":1", "\"schemaVersion\":\"1\""))).reason(),
                is(ProtocolException.Reason.MISSING_FIELD));
        assertThat(refused(utf8(json.replace("\"seq\":7", "\"seq\":\"7\""))).reason(),
                is(ProtocolException.Reason.INVALID_PAYLOAD));
        assertThat(refused(utf8(json.replace("\"seq\":7", "\"seq\":7.5"))).reason(),
                is(ProtocolException.Reason.INVALID_PAYLOAD));
    }

    @Test
    void overLongTextIsRefusedNamingTheFieldAndTheLongestAllowedIsRead() throws Exception {
        String longest = "A".repeat(Checks.MAX_PLATE_LENGTH);
        assertThat(((SessionOpened) MessageCodec.decode(utf8(opened(longest))).payload()).plate(), is(longest));
        ProtocolException plate = refused(utf8(opened(longest + "B")));
        assertThat(plate.reason(), is(ProtocolException.Reason.INVALID_PAYLOAD));
        assertThat(plate.getMessage(), containsString("plate is longer than 32 characters"));

        ProtocolException allowList = refused(MessageCodec.encode(envelope(
                new UpdateAllowList(2, List.of("STAFF1", "X".repeat(2_000))))));
        assertThat(allowList.getMessage(), containsString("plate is longer than 32"));

        ProtocolException id = refused(MessageCodec.encode(envelope(
                new SessionOpened("s".repeat(Checks.MAX_ID_LENGTH + 1), "in-1", null, VehicleType.EV, T, 1))));
        assertThat(id.reason(), is(ProtocolException.Reason.INVALID_PAYLOAD));
        assertThat(id.getMessage(), containsString("sessionId is longer than 200"));

        Envelope reason = envelope(new OpenBarrier("out-1", "r".repeat(Checks.MAX_TEXT_LENGTH), "bob"));
        assertThat(MessageCodec.decode(MessageCodec.encode(reason)), is(reason));
        ProtocolException text = refused(MessageCodec.encode(
                envelope(new OpenBarrier("out-1", "r".repeat(Checks.MAX_TEXT_LENGTH + 1), "bob"))));
        assertThat(text.getMessage(), containsString("reason is longer than 4096"));
        // A field added later by a newer sender is bounded the same way, not only the ones known today.
        String added = opened("AB123").replace("\"laneId\"", "\"addedLater\":\"" + "y".repeat(5_000) + "\",\"laneId\"");
        assertThat(refused(utf8(added)).getMessage(), containsString("addedLater is longer than 4096"));
    }
}
