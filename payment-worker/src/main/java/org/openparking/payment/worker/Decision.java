package org.openparking.payment.worker;

import java.time.Duration;
import org.openparking.protocol.Envelope;

/** What to do with one delivery after processing it. */
public sealed interface Decision {

    /** Publish this result (with confirms) to the edge and to parking.events, then ack. */
    record Publish(Envelope result) implements Decision {
    }

    /** Nothing to publish yet (PENDING at Stripe): ack. */
    record Ack(String why) implements Decision {
    }

    /** Poison: dead-letter with this reason (the body redacted), then ack. */
    record DeadLetter(String reason, String detail) implements Decision {
    }

    /** Cannot finish now (Stripe unavailable, breaker open, claim busy): keep it and try again later. */
    record Hold(Duration delay, String why) implements Decision {
    }
}
