package org.openparking.cloud;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.GetResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.AppliedDiscount;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.UpdateDiscounts;

/**
 * The offline rule for a coupon that spans levels, through the real broker and database: each level is told the
 * uses of the others (usesElsewhere) with every change; a single-use coupon that two levels accepted while they
 * could not hear of each other is reported as over-used, and neither use is lost; a session reported twice is one
 * use.
 */
class CouponReconciliationTest extends SharedCloudTest {
    private static final String LOT = "recon";

    private static List<UpdateDiscounts> pushedTo(String levelId) throws Exception {
        List<UpdateDiscounts> out = new ArrayList<>();
        for (GetResponse r : cloud.drain(Topology.edgeQueue(Envelope.edgeId(LOT, levelId)))) {
            Envelope e = MessageCodec.decode(r.getBody());
            if (e.payload() instanceof UpdateDiscounts u) {
                out.add(u);
            }
        }
        return out;
    }

    private static SessionClosed closedWithCoupon(String sessionId, String code, long off) {
        SessionClosed c = Events.closed(sessionId, 0, PaymentStatus.NOT_REQUIRED, null);
        return new SessionClosed(c.sessionId(), c.laneId(), c.entryTime(), c.exitTime(), c.feeAmount(), c.currency(),
                c.paymentStatus(), c.paymentId(), c.tariffVersion(), c.lostTicket(),
                List.of(new AppliedDiscount("COUPON", code, null, off)));
    }

    @Test
    void aSingleUseCouponUsedOnTwoLevelsOfflineIsReportedOverUsedAndEachLevelLearnsTheOthersUses() throws Exception {
        api.post("/api/v1/edges", "{\"lotId\":\"" + LOT + "\",\"levelId\":\"L0\"}");
        api.post("/api/v1/edges", "{\"lotId\":\"" + LOT + "\",\"levelId\":\"L1\"}");
        pushedTo("L0");
        pushedTo("L1");
        assertThat(api.post("/api/v1/lots/" + LOT + "/coupons",
                "{\"code\":\"ONCE\",\"kind\":\"AMOUNT_OFF\",\"value\":500,\"maxUses\":1}").status(), is(201));
        UpdateDiscounts first = pushedTo("L0").getLast();
        assertThat(first.coupons().getFirst().usesElsewhere(), is(0));
        assertThat(pushedTo("L1").getLast().version(), is(first.version()));

        // Both levels were cut off from each other and accepted the coupon once each.
        Events l0 = new Events(LOT, "L0");
        Events l1 = new Events(LOT, "L1");
        long before = cloud.app.stats().appliedCount() + cloud.app.stats().duplicateCount();
        cloud.publishFromEdge(l0.next(closedWithCoupon("s-l0", "ONCE", 500)));
        cloud.publishFromEdge(l1.next(closedWithCoupon("s-l1", "ONCE", 500)));
        Envelope redelivered = l1.next(closedWithCoupon("s-l1", "ONCE", 500));
        cloud.publishFromEdge(redelivered);
        cloud.awaitHandled(before + 3);

        await().atMost(Duration.ofSeconds(30)).until(() ->
                api.get("/api/v1/lots/" + LOT + "/coupons").body().get(0).path("uses").asLong() == 2);
        JsonNode once = api.get("/api/v1/lots/" + LOT + "/coupons").body().get(0);
        assertThat("a session reported twice is one use", once.path("uses").asLong(), is(2L));
        assertThat(once.path("overUsed").asBoolean(), is(true));
        assertThat(once.at("/usesByLevel/L0").asLong(), is(1L));
        assertThat(once.at("/usesByLevel/L1").asLong(), is(1L));

        // Each use made the cloud push the lot's discounts again: every level now counts the other's use.
        UpdateDiscounts toL0 = pushedTo("L0").getLast();
        UpdateDiscounts toL1 = pushedTo("L1").getLast();
        assertThat(toL0.version() > first.version(), is(true));
        assertThat(toL0.coupons().getFirst().usesElsewhere(), is(1));
        assertThat(toL1.coupons().getFirst().usesElsewhere(), is(1));
    }
}
