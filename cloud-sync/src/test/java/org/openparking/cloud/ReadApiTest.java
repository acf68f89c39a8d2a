package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.GetResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.EdgeStatus;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.RefundRequested;
import org.openparking.protocol.RefundResult;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestHttp;

/**
 * The read API, the unable-to-collect ledger and refunds over real HTTP, after real events went
 * through the broker into the database.
 */
class ReadApiTest {
    private static CloudFixture cloud;
    private static ApiClient api;
    private static Events north;
    private static Events south;

    @BeforeAll
    static void start() throws Exception {
        cloud = CloudFixture.start();
        api = new ApiClient(cloud.baseUrl(), cloud.adminToken());
        north = new Events("north", "L1");
        south = new Events("north", "L2");
        List<Envelope> edgeEvents = new ArrayList<>();
        edgeEvents.add(north.next(Events.opened("n-1", "AB-1")));
        edgeEvents.add(north.next(Events.availability(1, 1)));
        edgeEvents.add(north.next(Events.opened("n-2", "CD-2")));
        edgeEvents.add(north.next(Events.availability(2, 2)));
        edgeEvents.add(north.next(Events.closed("n-1", 900, PaymentStatus.DEFERRED, "pay-n-1")));
        // As when the edge's wait for the result timed out: the request went out undeferred and without a
        // plate; only the session's close says DEFERRED, and only its open knows the plate.
        edgeEvents.add(north.next(Events.paymentRequested("pay-n-1", "n-1", 900, false, null)));
        edgeEvents.add(north.next(Events.closed("n-2", 1500, PaymentStatus.PAID, "pay-n-2")));
        edgeEvents.add(north.next(Events.paymentRequested("pay-n-2", "n-2", 1500, false, "CD-2")));
        Envelope skipped = north.next(Events.availability(1, 3));
        edgeEvents.add(north.next(Events.lane("in-1", "OPEN", 1)));
        edgeEvents.add(south.next(Events.availability(0, 1)));
        for (Envelope e : edgeEvents) {
            cloud.publishFromEdge(e);
        }
        cloud.publishFromWorker(north.fromWorker(
                Events.paymentResult("pay-n-1", "n-1", 900, PaymentResult.Outcome.DECLINED, false)));
        cloud.publishFromWorker(north.fromWorker(
                Events.paymentResult("pay-n-2", "n-2", 1500, PaymentResult.Outcome.PAID, false)));
        cloud.awaitHandled(edgeEvents.size() + 2);
        assertThat(skipped.seq(), is(9L));
    }

    @AfterAll
    static void stop() throws Exception {
        cloud.close();
    }

    @Test
    void lotsAndLevelsShowLiveAvailability() {
        TestHttp.Response lots = api.get("/api/v1/lots");
        assertThat(lots.status(), is(200));
        JsonNode lot = lots.body().get(0);
        assertThat(lot.path("lotId").asText(), is("north"));
        assertThat(lot.path("levels").asInt(), is(2));
        assertThat(lot.path("occupied").asInt(), is(2));
        assertThat(lot.path("edgesOnline").asInt(), is(2));

        TestHttp.Response levels = api.get("/api/v1/lots/north/levels");
        assertThat(levels.status(), is(200));
        JsonNode l1 = levels.body().get(0);
        assertThat(l1.path("levelId").asText(), is("L1"));
        assertThat(l1.path("version").asLong(), is(2L));
        assertThat(l1.path("free").asInt(), is(98));
        assertThat(l1.path("byType").path("STANDARD").path("free").asInt(), is(98));
        assertThat(l1.path("lanes").get(0).path("barrier").asText(), is("OPEN"));
        assertThat(l1.path("edgeOnline").asBoolean(), is(true));

        TestHttp.Response unknown = api.get("/api/v1/lots/nowhere/levels");
        assertThat(unknown.status(), is(404));
        assertThat(unknown.error(), is("LOT_NOT_FOUND"));
    }

    @Test
    void edgesShowSequenceGapsAndLag() {
        TestHttp.Response edges = api.get("/api/v1/edges?lot=north");
        assertThat(edges.status(), is(200));
        JsonNode l1 = edges.body().get(0);
        assertThat(l1.path("edgeId").asText(), is("north.L1"));
        assertThat(l1.path("lastSeq").asLong(), is(10L));
        assertThat(l1.path("contiguousSeq").asLong(), is(8L));
        assertThat(l1.path("gaps").asLong(), is(1L));
        assertThat(l1.path("eventsReceived").asLong(), is(9L));
        assertThat(l1.path("online").asBoolean(), is(true));
        assertThat(l1.path("lagSeconds").isNumber(), is(true));
    }

    @Test
    void edgeStatusSnapshotsShowHealthWithoutTouchingTheSequence() throws Exception {
        cloud.publishFromEdge(Envelope.of("north.L2", "north", "L2", 0, java.time.Instant.now(),
                new EdgeStatus("1.2.3", "CLOUD_DOWN", 7, 42)));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                "1.2.3".equals(edge("north.L2").path("softwareVersion").asText()));
        JsonNode l2 = edge("north.L2");
        assertThat(l2.path("syncState").asText(), is("CLOUD_DOWN"));
        assertThat(l2.path("outboxPending").asLong(), is(7L));
        assertThat(l2.path("oldestPendingAgeSeconds").asLong(), is(42L));
        assertThat(l2.path("online").asBoolean(), is(true));
        assertThat("a snapshot is outside the event sequence", l2.path("lastSeq").asLong(), is(1L));
        assertThat(l2.path("contiguousSeq").asLong(), is(1L));
    }

    private JsonNode edge(String edgeId) {
        for (JsonNode e : api.get("/api/v1/edges?lot=north").body()) {
            if (e.path("edgeId").asText().equals(edgeId)) {
                return e;
            }
        }
        throw new AssertionError("no edge " + edgeId);
    }

    @Test
    void sessionsFilterByLotPlateStatusAndEntryTime() {
        assertThat(api.get("/api/v1/sessions?lot=north").body().size(), is(2));
        assertThat(api.get("/api/v1/sessions?plate=CD-2").body().get(0).path("sessionId").asText(), is("n-2"));
        assertThat(api.get("/api/v1/sessions?status=OPEN").body().size(), is(0));
        assertThat(api.get("/api/v1/sessions?from=2026-03-02T07:00:00Z&to=2026-03-02T09:00:00Z").body().size(),
                is(2));
        assertThat(api.get("/api/v1/sessions?from=2026-03-03T00:00:00Z").body().size(), is(0));
        assertThat(api.get("/api/v1/sessions?lot=south").body().size(), is(0));

        TestHttp.Response bad = api.get("/api/v1/sessions?from=yesterday");
        assertThat(bad.status(), is(400));
        assertThat(bad.error(), is("INVALID_REQUEST"));
        assertThat(api.get("/api/v1/sessions?status=MAYBE").status(), is(400));
        assertThat(api.get("/api/v1/sessions?limit=0").status(), is(400));
    }

    @Test
    void oneSessionWithItsPayments() {
        TestHttp.Response session = api.get("/api/v1/sessions/n-2");
        assertThat(session.status(), is(200));
        assertThat(session.body().path("session").path("status").asText(), is("CLOSED"));
        assertThat(session.body().path("session").path("feeAmount").asLong(), is(1500L));
        assertThat(session.body().path("payments").get(0).path("outcome").asText(), is("PAID"));

        TestHttp.Response missing = api.get("/api/v1/sessions/nope");
        assertThat(missing.status(), is(404));
        assertThat(missing.error(), is("SESSION_NOT_FOUND"));
    }

    @Test
    void aDeferredPaymentDeclinedLaterIsInTheLedgerOnce() {
        TestHttp.Response all = api.get("/api/v1/unable-to-collect");
        assertThat(all.status(), is(200));
        assertThat(all.body().size(), is(1));
        JsonNode entry = all.body().get(0);
        assertThat(entry.path("paymentId").asText(), is("pay-n-1"));
        assertThat(entry.path("plate").asText(), is("AB-1"));
        assertThat(entry.path("amount").asLong(), is(900L));
        assertThat(entry.path("outcome").asText(), is("DECLINED"));
        assertThat(entry.path("failureCode").asText(), is("card_declined"));

        assertThat(api.get("/api/v1/unable-to-collect?lot=north&plate=AB-1").body().size(), is(1));
        assertThat(api.get("/api/v1/unable-to-collect?plate=CD-2").body().size(), is(0));
        assertThat(api.get("/api/v1/unable-to-collect?lot=south").body().size(), is(0));
        assertThat(api.get("/api/v1/unable-to-collect?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z")
                .body().size(), is(1));
        assertThat(api.get("/api/v1/unable-to-collect?from=2026-03-03T00:00:00Z").body().size(), is(0));
        assertThat(api.get("/api/v1/unable-to-collect?to=bad").status(), is(400));
    }

    @Test
    void refundOfAPaidSessionIsPublishedToTheWorkerAndSettledByItsResult() throws Exception {
        TestHttp.Response partial = api.post("/api/v1/sessions/n-2/refund", "{\"amount\":500,\"reason\":\"barrier fault\"}");
        assertThat(partial.text(), partial.status(), is(202));
        assertThat(partial.body().path("refund").path("refundId").asText(), is("refund-pay-n-2-1"));
        assertThat(partial.body().path("refund").path("status").asText(), is("REQUESTED"));

        List<GetResponse> requests = cloud.drain(Topology.PAYMENTS_QUEUE);
        assertThat(requests.size(), is(1));
        Envelope request = MessageCodec.decode(requests.getFirst().getBody());
        RefundRequested refund = (RefundRequested) request.payload();
        assertThat(refund.refundId(), is("refund-pay-n-2-1"));
        assertThat(refund.amount(), is(500L));
        assertThat(refund.providerReference(), is("pi_pay-n-2"));
        assertThat(request.edgeId(), is("north.L1"));
        assertThat(requests.getFirst().getProps().getMessageId(), is(request.id()));

        TestHttp.Response tooMuch = api.post("/api/v1/sessions/n-2/refund", "{\"amount\":1001,\"reason\":\"x\"}");
        assertThat(tooMuch.status(), is(409));
        assertThat(tooMuch.error(), is("REFUND_EXCEEDS_PAYMENT"));
        assertThat(api.post("/api/v1/sessions/n-1/refund", "{\"reason\":\"x\"}").error(), is("NOT_PAID"));
        assertThat(api.post("/api/v1/sessions/nope/refund", "{\"reason\":\"x\"}").status(), is(404));
        assertThat(api.post("/api/v1/sessions/n-2/refund", "{\"amount\":100}").status(), is(400));
        assertThat(api.post("/api/v1/sessions/n-2/refund", "{not json").status(), is(400));

        cloud.publishFromWorker(north.fromWorker(new RefundResult("refund-pay-n-2-1", "pay-n-2", "n-2", "REFUNDED",
                500, "EUR", "re_1", null)));
        org.awaitility.Awaitility.await().until(() -> api.get("/api/v1/sessions/n-2").body().path("refunds").get(0)
                .path("status").asText().equals("REFUNDED"));
        TestHttp.Response rest = api.post("/api/v1/sessions/n-2/refund", "{\"reason\":\"goodwill\"}");
        assertThat(rest.status(), is(202));
        assertThat(rest.body().path("refund").path("refundId").asText(), is("refund-pay-n-2-2"));
        assertThat(rest.body().path("refund").path("amount").asLong(), is(1000L));
        assertThat(api.post("/api/v1/sessions/n-2/refund", "{\"reason\":\"again\"}").error(), is("ALREADY_REFUNDED"));
        assertThat(api.get("/api/v1/payments?session=n-2").body().get(0).path("refunded").asLong(), is(500L));
    }

    @Test
    void observeEndpointsAndDeadLetterCount() {
        TestHttp.Response health = api.get("/observe/health");
        assertThat(health.text(), health.status(), is(200));
        TestHttp.Response metrics = api.get("/observe/metrics");
        assertThat(metrics.status(), is(200));
        assertThat(metrics.text(), containsString("# TYPE"));
        TestHttp.Response dead = api.get("/api/v1/dead-letters");
        assertThat(dead.status(), is(200));
        assertThat(dead.body().path("queued").asLong(), is(0L));
        assertThat(api.get("/api/v1/nothing-here").status(), is(404));
        assertThat(api.get("/api/v1/payments?limit=abc").text(), startsWith("{\"error\""));
    }
}
