package org.openparking.cloud;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.CommandApplied;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.OpenBarrier;
import org.openparking.protocol.SetLevelStatus;
import org.openparking.protocol.UpdateTariff;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestHttp;

/** Commands to edges over real HTTP, read back from the edges' real queues. */
class CommandsApiTest extends SharedCloudTest {
    private static final String TARIFF = """
            {"version":%d,"currency":"EUR","graceMinutes":15,"periodMinutes":60,"pricePerPeriod":250,
             "dailyCap":2000,"lostTicketFee":3000}""";

    private static List<Envelope> queued(String edgeId) throws Exception {
        List<Envelope> envelopes = new ArrayList<>();
        for (GetResponse r : cloud.drain(Topology.edgeQueue(edgeId))) {
            Envelope e = MessageCodec.decode(r.getBody());
            assertThat(r.getProps().getMessageId(), is(e.id()));
            assertThat(r.getProps().getDeliveryMode(), is(2));
            envelopes.add(e);
        }
        return envelopes;
    }

    @Test
    void registeringAnEdgeIsIdempotentAndValidated() {
        TestHttp.Response created = api.post("/api/v1/edges", "{\"lotId\":\"reg\",\"levelId\":\"L1\"}");
        assertThat(created.text(), created.status(), is(201));
        assertThat(created.body().path("edgeId").asText(), is("reg.L1"));
        assertThat(api.post("/api/v1/edges", "{\"lotId\":\"reg\",\"levelId\":\"L1\"}").status(), is(200));
        assertThat(api.post("/api/v1/edges", "{\"lotId\":\"re.g\",\"levelId\":\"L1\"}").status(), is(400));
        assertThat(api.post("/api/v1/edges", "{\"lotId\":\"reg\"}").error(), is("INVALID_REQUEST"));
        JsonNode edges = api.get("/api/v1/edges?lot=reg").body();
        assertThat(edges.size(), is(1));
        assertThat(edges.get(0).path("online").asBoolean(), is(false));
    }

    @Test
    void aTariffGoesToEveryEdgeOfTheLotOnlyAndAStaleVersionIsRefused() throws Exception {
        api.post("/api/v1/edges", "{\"lotId\":\"east\",\"levelId\":\"L1\"}");
        api.post("/api/v1/edges", "{\"lotId\":\"east\",\"levelId\":\"L2\"}");
        api.post("/api/v1/edges", "{\"lotId\":\"west\",\"levelId\":\"L1\"}");

        TestHttp.Response put = api.put("/api/v1/lots/east/tariff", TARIFF.formatted(3));
        assertThat(put.text(), put.status(), is(200));
        assertThat(put.body().path("commands").path("edgeIds").toString(), is("[\"east.L1\",\"east.L2\"]"));

        for (String edgeId : List.of("east.L1", "east.L2")) {
            List<Envelope> commands = queued(edgeId);
            assertThat(commands.size(), is(1));
            Envelope e = commands.getFirst();
            assertThat(e.payload(), instanceOf(UpdateTariff.class));
            assertThat(((UpdateTariff) e.payload()).tariff().version(), is(3));
            assertThat(e.edgeId(), is(edgeId));
            assertThat(e.lotId(), is("east"));
            assertThat(e.levelId(), is(edgeId.substring(5)));
        }
        assertThat(queued("west.L1").size(), is(0));

        TestHttp.Response stale = api.put("/api/v1/lots/east/tariff", TARIFF.formatted(3));
        assertThat(stale.status(), is(409));
        assertThat(stale.error(), is("STALE_TARIFF_VERSION"));
        assertThat(api.put("/api/v1/lots/east/tariff", TARIFF.formatted(2)).status(), is(409));
        assertThat(api.put("/api/v1/lots/east/tariff", TARIFF.formatted(0)).status(), is(400));
        assertThat(api.put("/api/v1/lots/east/tariff", "{\"version\":4}").status(), is(400));
        assertThat(api.put("/api/v1/lots/east/tariff", "[]").status(), is(400));
        // A price that would overflow a fee to a negative amount is refused, naming the field.
        TestHttp.Response huge = api.put("/api/v1/lots/east/tariff", TARIFF.formatted(4)
                .replace("\"pricePerPeriod\":250", "\"pricePerPeriod\":9223372036854775807"));
        assertThat(huge.text(), huge.status(), is(400));
        assertThat(huge.text(), huge.body().path("message").asText(), containsString("pricePerPeriod"));
        assertThat(api.get("/api/v1/lots/east/tariff").body().path("version").asInt(), is(3));
        assertThat(queued("east.L1").size(), is(0));

        // An edge registered later is sent the lot's current tariff, waiting in its queue.
        TestHttp.Response late = api.post("/api/v1/edges", "{\"lotId\":\"east\",\"levelId\":\"L3\"}");
        assertThat(late.status(), is(201));
        List<Envelope> lateCommands = queued("east.L3");
        assertThat(lateCommands.size(), is(1));
        assertThat(lateCommands.getFirst().id(), is(late.body().path("tariffCommandId").asText()));
    }

    @Test
    void levelStatusAndBarrierCommandsReachTheirEdgeAndReceiptsMarkThemApplied() throws Exception {
        api.post("/api/v1/edges", "{\"lotId\":\"cmd\",\"levelId\":\"L1\"}");
        TestHttp.Response close = api.post("/api/v1/levels/cmd/L1/status",
                "{\"closed\":true,\"reason\":\"maintenance\"}");
        assertThat(close.text(), close.status(), is(202));
        assertThat(api.post("/api/v1/levels/cmd/L9/status", "{\"closed\":true}").error(), is("EDGE_NOT_FOUND"));
        assertThat(api.post("/api/v1/levels/cmd/L1/status", "{\"reason\":\"x\"}").status(), is(400));

        assertThat(api.post("/api/v1/lanes/cmd/L1/in-1/open", "{}").status(), is(400));
        assertThat(api.post("/api/v1/lanes/cmd/L1/in-1/open", "{\"reason\":\" \"}").status(), is(400));
        TestHttp.Response open = api.post("/api/v1/lanes/cmd/L1/in-1/open", "{\"reason\":\"ticket jammed\"}");
        assertThat(open.status(), is(202));

        List<Envelope> commands = queued("cmd.L1");
        assertThat(commands.size(), is(2));
        SetLevelStatus status = (SetLevelStatus) commands.get(0).payload();
        assertThat(status.closed(), is(true));
        assertThat(status.reason(), is("maintenance"));
        OpenBarrier barrier = (OpenBarrier) commands.get(1).payload();
        assertThat(barrier.laneId(), is("in-1"));
        assertThat(commands.get(0).seq() < commands.get(1).seq(), is(true));
        assertThat(commands.stream().map(Envelope::id).toList(),
                contains(close.body().path("commandIds").get(0).asText(), open.body().path("commandIds").get(0)
                        .asText()));

        assertThat(api.get("/api/v1/edges?lot=cmd").body().get(0).path("unappliedCommands").asLong(), is(2L));
        Events edge = new Events("cmd", "L1");
        cloud.publishFromEdge(edge.next(new CommandApplied(commands.get(0).id(), commands.get(0).type(), true, null)));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/edges?lot=cmd").body().get(0).path("unappliedCommands").asLong() == 1L);
    }

    @Test
    void aCommandTheBrokerRefusesIs503AndStaysUnsentUntilRepublished() throws Exception {
        // A cloud of its own: RabbitMQ caches a channel's write permission on an exchange it already used,
        // so a revocation is only seen reliably by a publisher that has not written to parking.edge yet.
        try (CloudFixture own = CloudFixture.start()) {
            ApiClient ownApi = new ApiClient(own.baseUrl(), own.adminToken());
            ownApi.post("/api/v1/edges", "{\"lotId\":\"down\",\"levelId\":\"L1\"}");
            String vhost = own.broker.vhost();
            TestBroker.ctl("set_permissions", "-p", vhost, "guest", "", "", "");
            TestHttp.Response refused;
            try {
                refused = ownApi.put("/api/v1/lots/down/tariff", TARIFF.formatted(1));
                assertThat(refused.text(), refused.status(), is(503));
                assertThat(refused.error(), is("BROKER_UNAVAILABLE"));
                assertThat(ownApi.get("/api/v1/edges?lot=down").body().get(0).path("unsentCommands").asLong(), is(1L));
            } finally {
                TestBroker.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
            }
            assertThat(ownApi.get("/api/v1/lots/down/tariff").body().path("version").asInt(), is(1));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ownApi.get("/api/v1/edges?lot=down").body().get(0).path("unsentCommands").asLong() == 0L);
            try (com.rabbitmq.client.Connection c = CloudFixture.connect(own.broker)) {
                Channel ch = c.createChannel();
                GetResponse r = ch.basicGet(Topology.edgeQueue("down.L1"), true);
                UpdateTariff update = (UpdateTariff) MessageCodec.decode(r.getBody()).payload();
                assertThat(update.tariff().version(), is(1));
            }
        }
    }
}
