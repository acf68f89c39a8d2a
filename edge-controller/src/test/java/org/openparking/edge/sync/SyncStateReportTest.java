package org.openparking.edge.sync;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.edge.EdgeApplication;
import org.openparking.edge.TestEdge;
import org.openparking.edge.payment.PaymentLink;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Ports;
import org.openparking.testing.TestHttp;

/**
 * An edge offline by configuration (no cloud) says so as its own state, OFFLINE_ONLY, in /sync, health and
 * its deferred-payment log lines, instead of the CLOUD_DOWN alarm; an edge whose configured cloud cannot be
 * reached still says CLOUD_DOWN.
 */
class SyncStateReportTest {
    private static final Logger POLICY_LOG = Logger.getLogger("org.openparking.edge.session.OfflinePaymentPolicy");

    @Test
    void anEdgeWithNoCloudConfiguredIsOfflineOnlyAndDefersWithoutCryingCloudDown() {
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        POLICY_LOG.addHandler(capture);
        try (TestEdge edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2))) {
            assertThat(edge.app().sync().state(), is(PaymentLink.State.OFFLINE_ONLY));
            JsonNode sync = edge.get("/sync").body();
            assertThat(sync.toString(), sync.path("state").asText(), is("OFFLINE_ONLY"));
            assertThat(sync.toString(), sync.path("connected").asBoolean(), is(false));
            assertThat(syncCheck(edge.getRoot("/observe/health").body()), is("OFFLINE_ONLY"));

            String ticket = edge.enterAndPass("OFF1").get("ticket").asText();
            edge.clock().advance(Duration.ofHours(2)); // 600 cents, under the 1500 floor: deferred
            TestHttp.Response exit = edge.post("/lanes/out-1/exits",
                    "{\"ticket\":\"" + ticket + "\",\"paymentMethod\":\"pm_card_visa\"}");
            assertThat(exit.toString(), exit.body().at("/payment/status").asText(), is("DEFERRED"));
            assertThat(exit.body().path("gate").asText(), not(is("CLOSED")));
            await().atMost(Duration.ofSeconds(10)).until(() -> logged.stream().anyMatch(m -> m != null
                    && m.contains("deferred payment")));
            String line = logged.stream().filter(m -> m.contains("deferred payment")).findFirst().orElseThrow();
            assertThat(line, containsString("OFFLINE_ONLY"));
            assertThat(line, not(containsString("CLOUD_DOWN")));
        } finally {
            POLICY_LOG.removeHandler(capture);
        }
    }

    @Test
    void anEdgeWhoseConfiguredCloudIsUnreachableStaysCloudDown(@TempDir Path dir) {
        String nobody = "amqp://guest:guest@127.0.0.1:" + Ports.free() + "/%2F";
        try (EdgeApplication edge = CloudEdges.start(dir, nobody, Map.of(), Clock.systemUTC());
             TestHttp http = TestHttp.create()) {
            assertThat(edge.sync().state(), is(PaymentLink.State.CLOUD_DOWN));
            await().atMost(Duration.ofSeconds(30)).until(() -> edge.sync().status().lastError() != null);
            assertThat(CloudEdges.get(edge, "/sync"), containsString("\"state\":\"CLOUD_DOWN\""));
            assertThat(syncCheck(http.get("http://127.0.0.1:" + edge.port() + "/observe/health").body()),
                    is("CLOUD_DOWN"));
        }
    }

    private static String syncCheck(JsonNode health) {
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals("sync")) {
                assertThat(health.toString(), check.path("status").asText(), is("UP"));
                return check.path("data").path("state").asText();
            }
        }
        throw new AssertionError("no sync check in " + health);
    }
}
