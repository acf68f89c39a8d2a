package org.openparking.protocol;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.openparking.testing.HostileMessages;

/**
 * The codec against the hostile bodies every door's fuzzing sends, made from one valid envelope of each
 * message type ({@link SampleMessages}): each is refused with a reason, never read as a message. The doors' own tests
 * (cloud-sync's ingest, the edge's command queue, the worker's request queue) check what follows
 * from it with real consumers.
 */
class MessageCodecHostileTest {
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
        return HostileMessages.from(SampleMessages.everyTypeEncoded());
    }
}
