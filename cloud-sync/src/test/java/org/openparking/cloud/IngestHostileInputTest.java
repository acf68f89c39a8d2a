package org.openparking.cloud;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.MessageCodec;
import org.openparking.testing.DeadLetterWatch;
import org.openparking.testing.HostileMessages;
import org.openparking.testing.HostileMessages.Hostile;
import org.openparking.testing.HostileRig;

/**
 * Hostile input at cloud-sync's AMQP door (the {@code parking.events} ingest, as an edge publishes):
 * generated malformed, wrongly typed and wrongly encoded envelopes, each published once. Every
 * one must be dead-lettered to {@code parking.dead} with an {@code x-dead-reason}, leave PostgreSQL's
 * sessions, payments, inbox and edges rows exactly as they were, keep the consumer connected, and log
 * exactly one line, which names the message and the reason. Besides its own kinds, it sends test-support's {@link HostileMessages} made from
 * the same envelope: over-long plates, ids and text, numbers in text fields, overlong UTF-8, UTF-16/32 bodies
 * and content after the envelope, which the message codec used to read (docs/reliability.md, findings 4-8).
 */
class IngestHostileInputTest {
    private static CloudFixture cloud;
    private static String valid;
    private static DeadLetterWatch dead;
    private static HostileRig rig;

    @BeforeContainer
    static void start() throws Exception {
        cloud = CloudFixture.start();
        Events edge = new Events("hostile", "L1");
        cloud.publishFromEdge(edge.next(Events.opened("hostile-s0", "AB-123"))); // stored state to keep
        cloud.awaitHandled(1);
        valid = MessageCodec.encodeToString(edge.next(Events.opened("hostile-s1", "CD-456")));
        dead = new DeadLetterWatch(cloud.edge, Topology.DEAD_QUEUE, Topology.DEAD_REASON_HEADER);
        rig = HostileRig.start(IngestHostileInputTest::snapshot);
    }

    @AfterContainer
    static void stop() throws Exception {
        rig.close();
        cloud.close();
    }

    @Property(tries = 500)
    void everyHostileMessageIsDeadLetteredWithAReasonAndChangesNothing(@ForAll("hostile") Hostile h) throws Exception {
        HostileRig.Step step = rig.step(h);
        DeadLetterWatch.DeadLetter d = dead.publishAndAwait(Topology.EVENTS_EXCHANGE, "edge.hostile.L1.session.opened",
                "guest", h.body(), h);
        step.assertUnchanged();
        step.assertAlive("consumer still connected", cloud.app.consumer().isConnected());
        step.assertOneLogLineNaming(d.messageId(), d.reason());
    }

    @Provide
    Arbitrary<Hostile> hostile() {
        return Arbitraries.oneOf(
                malformed().map(b -> new Hostile("malformed", b)),
                wronglyTyped().map(b -> new Hostile("wrongly typed", b)),
                wronglyEncoded().map(b -> new Hostile("wrongly encoded", b)),
                HostileMessages.from(List.of(valid)),
                HostileMessages.from(List.of(valid)));
    }

    private static Arbitrary<byte[]> malformed() {
        Arbitrary<String> cut = Arbitraries.integers().between(0, valid.length() - 2).map(n -> valid.substring(0, n));
        Arbitrary<String> garbage = Arbitraries.strings().ofMinLength(0).ofMaxLength(300);
        // Not two envelopes back to back: the codec reads the first and ignores what trails it (finding 7
        // of docs/reliability.md), which stores a valid envelope.
        Arbitrary<String> notObject = Arbitraries.of("[]", "null", "42", "\"x\"", "[" + valid + "]", "[" + valid + "," + valid + "]");
        return Arbitraries.oneOf(cut, garbage, notObject).map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    /** A field of the valid envelope (or of its payload) given a value of the wrong JSON type. */
    private static Arbitrary<byte[]> wronglyTyped() {
        Arbitrary<String> field = Arbitraries.of("id", "type", "schemaVersion", "edgeId", "seq", "occurredAt", "payload",
                "sessionId", "plate", "laneId", "vehicleType", "entryTime", "lotId", "levelId");
        // Only values no field of the envelope can take: the message codec reads a number into a text
        // field as its digits (messages are typed less strictly than HTTP bodies, see JsonMedia), so a
        // scalar of the wrong type is a valid message, not a hostile one.
        Arbitrary<String> value = Arbitraries.of("[]", "{}", "[1]", "[[]]", "{\"$gt\":\"\"}", "[{}]");
        return net.jqwik.api.Combinators.combine(field, value).as((f, v) ->
                        valid.replaceFirst("\"" + f + "\":(\"[^\"]*\"|-?[0-9]+|\\{[^}]*\\}|null|true|false)",
                                java.util.regex.Matcher.quoteReplacement("\"" + f + "\":" + v)))
                .filter(s -> !s.equals(valid))
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    private static Arbitrary<byte[]> wronglyEncoded() {
        // Not overlong forms (C0 AF) or encoded surrogates (ED A0 80): the parser decodes those without
        // complaint (finding 8 of docs/reliability.md), so they make a valid envelope.
        Arbitrary<byte[]> bad = Arbitraries.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3, (byte) 0x28},
                new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0xfe}, new byte[] {0});
        Arbitrary<byte[]> broken = bad.map(b -> HostileMessages.inserted(valid, valid.indexOf("CD-456"), b));
        // Latin-1 where UTF-8 belongs (é as one byte). Not UTF-16 or UTF-32: the JSON parser detects those
        // from the byte pattern and reads a valid envelope, which is no harm and not hostile.
        Arbitrary<byte[]> otherCharset = Arbitraries.of("CD-45\u00e9", "\u00c9-1", "CD\u00ff\u00fe").map(p ->
                valid.replace("CD-456", p).getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.oneOf(broken, otherCharset);
    }

    private static String snapshot() throws Exception {
        try (Connection c = cloud.database.connect()) {
            StringBuilder s = new StringBuilder();
            for (String sql : List.of("SELECT session_id, status, plate FROM sessions ORDER BY 1",
                    "SELECT count(*) FROM payments", "SELECT count(*) FROM inbox",
                    "SELECT edge_id, events_received FROM edges ORDER BY 1")) {
                s.append(HostileRig.rows(c, sql));
            }
            return s.toString();
        }
    }
}
