package org.openparking.cloud.portal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.GetResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.GatewayFixture;
import org.openparking.cloud.auth.Role;
import org.openparking.protocol.Message;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.OpenBarrier;
import org.openparking.protocol.amqp.Topology;

/**
 * The portal in headless Chromium against a real cloud-sync: log in through the form, watch a
 * level's free count change when an edge reports a car, and open a barrier with a reason.
 */
class PortalBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void operatorSeesLiveCountsAndOpensABarrierWithAnAuditedReason() throws Exception {
        assumeTrue(Chromium.available() || "true".equals(System.getenv("CI")),
                "skipped: " + Chromium.BINARY + " is not installed (set CI=true to make this a failure)");
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults())) {
            Events edge = new Events("A", "L1");
            g.publishFromEdge(edge.next(Events.availability(10, 1)));
            g.awaitApplied(1);
            g.app.gateway().users().create("olga", "olga-password-1", Role.OPERATOR, "op-a", null);
            g.assignLot("op-a", "A");
            String root = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
            assertThat(g.request("POST", "/api/v1/edges", root, "{\"lotId\":\"A\",\"levelId\":\"L1\"}").status(),
                    is(200));

            try (Chromium browser = Chromium.start()) {
                browser.navigate(g.baseUrl() + "/portal/");
                browser.eval("document.querySelector('#username').value = 'olga';"
                        + "document.querySelector('#password').value = 'olga-password-1';"
                        + "document.querySelector('#login-button').click(); true");
                String free = "document.querySelector('[data-free=\"A/L1\"]')?.textContent";
                browser.waitFor(free + " === '90'", WAIT);
                browser.waitFor("document.querySelector('#stream-state').textContent === 'live'", WAIT);

                // A car enters at the edge: its relay publishes availability.changed.
                g.publishFromEdge(edge.next(Events.availability(11, 2)));
                browser.waitFor(free + " === '89'", WAIT);
                browser.screenshot(Path.of("/tmp/portal.png"));

                browser.eval("document.querySelector('#lane-A-L1').value = 'in-1';"
                        + "document.querySelector('#reason-A-L1').value = 'ticket jammed, driver waiting';"
                        + "document.querySelector('#open-A-L1').click(); true");
                browser.waitFor("document.querySelector('#message').textContent.startsWith('Barrier open sent')",
                        WAIT);
                browser.eval("document.querySelector('[data-view=\"audit\"]').click(); true");
                browser.waitFor("document.querySelector('[data-audit=\"barrier.open\"]') !== null", WAIT);
            }

            JsonNode audit = g.request("GET", "/api/v1/audit?action=barrier.open", root, null).json();
            assertThat(audit.size(), is(1));
            assertThat(audit.get(0).get("actor").asText(), is("olga"));
            assertThat(audit.get(0).get("reason").asText(), is("ticket jammed, driver waiting"));
            List<Message> commands = new ArrayList<>();
            for (GetResponse r = g.edge.basicGet(Topology.edgeQueue("A.L1"), true); r != null;
                 r = g.edge.basicGet(Topology.edgeQueue("A.L1"), true)) {
                commands.add(MessageCodec.decode(r.getBody()).payload());
            }
            OpenBarrier open = commands.stream().filter(OpenBarrier.class::isInstance).map(OpenBarrier.class::cast)
                    .findFirst().orElseThrow(() -> new AssertionError("no OpenBarrier in edge.A.L1: " + commands));
            assertThat(open.laneId(), is("in-1"));
            assertThat(open.reason(), is("ticket jammed, driver waiting"));
            assertThat(open.requestedBy(), is("olga"));
        }
    }
}
