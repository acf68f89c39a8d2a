package org.openparking.platform.amqp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.OpenBarrier;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.RefundRequested;
import org.openparking.protocol.RefundResult;

/** The authorship rules of the trust model, one by one. */
class AuthorsTest {
    private final Authors authors = new Authors("cloud-sync", "payment-worker", Set.of("guest"));

    private static Envelope from(String lot, String level, Message payload) {
        return Envelope.of(Envelope.edgeId(lot, level), lot, level, 1, Instant.now(), payload);
    }

    private static AvailabilityChanged availability() {
        return new AvailabilityChanged(10, 1, 9, Map.of(), "OPEN", 1, Instant.now());
    }

    private static String key(Envelope e) {
        return Topology.edgeEventKey(e.lotId(), e.levelId(), e.type());
    }

    private Authors.Refused.Reason refused(String user, Envelope e, String routingKey) {
        return assertThrows(Authors.Refused.class, () -> authors.check(user, e, routingKey)).reason();
    }

    @Test
    void anEdgeSpeaksForItsOwnLotAndLevelOnly() throws Exception {
        Envelope own = from("A", "L0", availability());
        assertThat(authors.check("edge-A-L0", own, key(own)).role(), is(Authors.Role.EDGE));

        Envelope otherLot = from("B", "L0", availability());
        assertThat(refused("edge-A-L0", otherLot, "edge.A.L0.availability.changed"),
                is(Authors.Refused.Reason.FOREIGN_EDGE));
        Envelope otherLevel = from("A", "L1", availability());
        assertThat(refused("edge-A-L0", otherLevel, key(otherLevel)), is(Authors.Refused.Reason.FOREIGN_EDGE));
        // Its own lot and level in the body, but another edge's id or routing key.
        Envelope otherEdgeId = new Envelope("x-1", null, 1, "B.L0", "A", "L0", 1, Instant.now(), availability());
        assertThat(refused("edge-A-L0", otherEdgeId, key(own)), is(Authors.Refused.Reason.FOREIGN_EDGE));
        assertThat(refused("edge-A-L0", own, "edge.B.L0.availability.changed"),
                is(Authors.Refused.Reason.FOREIGN_EDGE));
        assertThat(refused("payment-worker", own, key(own)), is(Authors.Refused.Reason.WRONG_AUTHOR));
    }

    @Test
    void paymentRequestsComeFromTheEdgeTheyName() throws Exception {
        Envelope request = from("A", "L0", new PaymentRequested("p", "s", 100, "EUR", "pm_card_visa", false, null));
        assertThat(authors.check("edge-A-L0", request, Topology.PAYMENTS_ROUTING_KEY).role(), is(Authors.Role.EDGE));
        assertThat(refused("edge-B-L0", request, Topology.PAYMENTS_ROUTING_KEY),
                is(Authors.Refused.Reason.FOREIGN_EDGE));
    }

    @Test
    void resultsComeOnlyFromTheWorker() throws Exception {
        Envelope paid = from("A", "L0", new PaymentResult("p", "s", PaymentResult.Outcome.PAID, 100, "EUR", "pi_1",
                null, null, false));
        Envelope refunded = from("A", "L0", new RefundResult("r", "p", "s", "REFUNDED", 100, "EUR", "re_1", null));
        assertThat(authors.check("payment-worker", paid, "payment.A.L0.payment.result").role(),
                is(Authors.Role.WORKER));
        assertThat(authors.check("payment-worker", refunded, "A.L0").role(), is(Authors.Role.WORKER));
        assertThat(refused("edge-A-L0", paid, key(paid)), is(Authors.Refused.Reason.WRONG_AUTHOR));
        assertThat(refused("edge-A-L0", refunded, key(refunded)), is(Authors.Refused.Reason.WRONG_AUTHOR));
        assertThat(refused("cloud-sync", paid, "A.L0"), is(Authors.Refused.Reason.WRONG_AUTHOR));
    }

    @Test
    void commandsAndRefundRequestsComeOnlyFromCloudSync() throws Exception {
        Envelope open = from("A", "L0", new OpenBarrier("in-1", "test", "op"));
        Envelope refund = from("A", "L0", new RefundRequested("r", "p", "s", null, 100, "EUR", "why", "op"));
        assertThat(authors.check("cloud-sync", open, "A.L0").role(), is(Authors.Role.CLOUD_SYNC));
        assertThat(authors.check("cloud-sync", refund, Topology.PAYMENTS_ROUTING_KEY).role(),
                is(Authors.Role.CLOUD_SYNC));
        assertThat(refused("edge-A-L0", refund, Topology.PAYMENTS_ROUTING_KEY),
                is(Authors.Refused.Reason.WRONG_AUTHOR));
        assertThat(refused("payment-worker", open, "A.L0"), is(Authors.Refused.Reason.WRONG_AUTHOR));
    }

    @Test
    void noUserIdIsRefusedAndATrustedUserSpeaksForAnyone() throws Exception {
        Envelope e = from("B", "L3", new RefundRequested("r", "p", "s", null, 100, "EUR", "why", "op"));
        assertThat(refused(null, e, "request"), is(Authors.Refused.Reason.MISSING_AUTHOR));
        assertThat(refused("", e, "request"), is(Authors.Refused.Reason.MISSING_AUTHOR));
        assertThat(authors.check("guest", e, "request").role(), is(Authors.Role.TRUSTED));
    }

    @Test
    void aServiceThatKnowsNoWorkerAcceptsNoResult() {
        Authors none = new Authors(null, "", Set.of());
        Envelope paid = from("A", "L0", new PaymentResult("p", "s", PaymentResult.Outcome.PAID, 100, "EUR", "pi_1",
                null, null, false));
        assertThrows(Authors.Refused.class, () -> none.check("payment-worker", paid, "A.L0"));
        assertThat(Authors.users(" a, b ,,"), is(Set.of("a", "b")));
    }
}
