package org.openparking.protocol;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.openparking.testing.HostileMessages;

/**
 * The codec against the hostile bodies every door's fuzzing sends, made from one valid envelope of each
 * message type: each is refused with a reason, never read as a message. The doors' own tests
 * (cloud-sync's ingest, the edge's command queue, the worker's request queue) check what follows
 * from it with real consumers.
 */
class MessageCodecHostileTest {
    private static final Instant T = Instant.parse("2026-11-25T10:15:30Z");

    static List<String> everyType() {
        Tariff tariff = new Tariff(2, "EUR", 10, 60, 250, 2000, 5000);
        List<Message> all = List.of(
                new SessionOpened("s1", "in-1", "AB-123", VehicleType.EV, T, 1),
                new SessionClosed("s1", "out-1", T, T.plusSeconds(3600), 250, "EUR", PaymentStatus.PAID, "p1", 1, false),
                new AvailabilityChanged(10, 3, 7, Map.of(VehicleType.STANDARD,
                        new AvailabilityChanged.TypeCount(10, 7)), "OPEN", 4, T),
                new LaneChanged("in-1", "OPEN", 3, T),
                new DriftRecorded(VehicleType.STANDARD, "CLAMPED_LOW", 0, -1),
                new CommandApplied("c1", MessageType.UPDATE_TARIFF, true, "version 2"),
                new EdgeStatus("0.1.0", "ONLINE", 3, 12),
                new PaymentRequested("p1", "s1", 250, "EUR", "pm_card_visa", false, "AB123"),
                new PaymentResult("p1", "s1", PaymentResult.Outcome.DECLINED, 250, "EUR", "pi_1", "card_declined",
                        "Your card was declined.", false),
                new RefundRequested("r1", "p1", "s1", "pi_1", 250, "EUR", "barrier fault", "alice"),
                new RefundResult("r1", "p1", "s1", "REFUNDED", 250, "EUR", "re_1", "none"),
                new UpdateTariff(tariff),
                new SetLevelStatus(true, "cleaning", "bob"),
                new OpenBarrier("out-1", "stuck car", "bob"),
                new UpdateAllowList(3, List.of("STAFF1", "STAFF2")),
                new TrustOperatorKey("{\"kty\":\"EC\"}"),
                new CloseSessionElsewhere("s1", T.plusSeconds(3600), "lot1.L0", "L0"));
        return all.stream().map(m -> MessageCodec.encodeToString(Envelope.of("lot1.L0", "lot1", "L0", 7, T, m))).toList();
    }

    @Property(tries = 2000)
    void noHostileBodyIsReadAsAMessage(@ForAll("hostile") HostileMessages.Hostile h) {
        ProtocolException refused = null;
        try {
            Envelope read = MessageCodec.decode(h.body());
            throw new AssertionError(h + " was read as " + read);
        } catch (ProtocolException e) {
            refused = e;
        }
        assertThat(h.toString(), refused.reason(), notNullValue());
        assertThat(h + ": the message starts with the reason", refused.getMessage().startsWith(refused.reason().name()),
                is(true));
    }

    @Provide
    Arbitrary<HostileMessages.Hostile> hostile() {
        return HostileMessages.from(everyType());
    }
}
