package org.openparking.cloud.portal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.cloud.EdgeProcess;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.GatewayFixture;
import org.openparking.cloud.auth.Role;
import org.openparking.testing.Chromium;
import org.openparking.testing.TestHttp;

/**
 * The portal in headless Chromium against a real cloud-sync and a real edge controller (the
 * packaged jar as a process, simulated hardware, linked to the test's vhost): log in through the
 * form, watch a level's free count go down when a car drives in through the edge's entry lane, and
 * open a barrier with a reason, which is audited in the cloud and raises the barrier at the edge; a
 * recount at the edge shows up as drift in the portal's edge view.
 */
class PortalBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Where the screenshot goes (copied by hand to docs/img/portal.png for the README). */
    private static final Path SCREENSHOT = Path.of(System.getProperty("portal.screenshot", "/tmp/portal.png"));

    @TempDir
    Path dir;

    @Test
    void operatorSeesARealEdgesCountDropAndOpensItsBarrierWithAnAuditedReason() throws Exception {
        assumeTrue(Chromium.available() || "true".equals(System.getenv("CI")),
                "skipped: chromium is not installed (set CI=true to make this a failure)");
        EdgeProcess.requireBuilt();
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults())) {
            g.app.gateway().users().create("olga", "olga-password-1", Role.OPERATOR, "op-a", null);
            g.assignLot("op-a", "A");
            String root = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
            assertThat(g.request("POST", "/api/v1/edges", root, "{\"lotId\":\"A\",\"levelId\":\"L1\"}").status(),
                    is(201));

            try (EdgeProcess edge = EdgeProcess.start(g.broker.uri(), "A", "L1", 20, dir)) {
                // An edge announces its level when it starts, before any car.
                edge.until("level A/L1 announced in the cloud with 20 free", WAIT, () -> freeInCloud(g, root) == 20);
                edge.driveIn("in-1", "AB123");
                edge.until("level A/L1 in the cloud with 19 free", WAIT, () -> freeInCloud(g, root) == 19);

                try (Chromium browser = Chromium.start()) {
                    browser.navigate(g.baseUrl() + "/portal/");
                    browser.eval("document.querySelector('#username').value = 'olga';"
                            + "document.querySelector('#password').value = 'olga-password-1';"
                            + "document.querySelector('#login-button').click(); true");
                    String free = "document.querySelector('[data-free=\"A/L1\"]')?.textContent";
                    browser.waitFor(free + " === '19'", WAIT);
                    browser.waitFor("document.querySelector('#stream-state').textContent === 'live'", WAIT);

                    // A second car drives in at the edge; the page follows without a reload.
                    edge.driveIn("in-1", "CD456");
                    assertThat(edge.get("/availability").path("free").asInt(), is(18));
                    browser.waitFor(free + " === '18'", WAIT);
                    Files.createDirectories(SCREENSHOT.toAbsolutePath().getParent());
                    browser.screenshot(SCREENSHOT);

                    assertThat(edge.lane("in-1").path("barrier").asText(), is("CLOSED"));
                    browser.eval("document.querySelector('#lane-A-L1').value = 'in-1';"
                            + "document.querySelector('#reason-A-L1').value = 'ticket jammed, driver waiting';"
                            + "document.querySelector('#open-A-L1').click(); true");
                    browser.waitFor(
                            "document.querySelector('#message').textContent.startsWith('Barrier open sent')", WAIT);
                    browser.eval("document.querySelector('[data-view=\"audit\"]').click(); true");
                    browser.waitFor("document.querySelector('[data-audit=\"barrier.open\"]') !== null", WAIT);

                    // A technician recounts the level at the edge; the difference is drift the portal shows.
                    assertThat(edge.post("/admin/occupancy/recount",
                            "{\"type\":\"STANDARD\",\"occupied\":5,\"reason\":\"walk-through\"}").status(), is(200));
                    edge.until("the recount's drift in the cloud", WAIT, () -> g.request("GET", "/api/v1/drift?lot=A",
                            root, null).text().contains("MANUAL_RECOUNT"));
                    browser.eval("document.querySelector('[data-view=\"edges\"]').click(); true");
                    browser.waitFor("[...document.querySelectorAll('#drift tr')].some(tr => tr.textContent"
                            + ".includes('A/L1') && tr.textContent.includes('MANUAL_RECOUNT'))", WAIT);

                    // Log out revokes the token at the gateway, not only in the page.
                    String token = browser.eval("sessionStorage.getItem('token')").asText();
                    assertThat(g.request("GET", "/api/v1/auth/me", token, null).status(), is(200));
                    browser.eval("document.querySelector('#logout').click(); true");
                    browser.waitFor("document.querySelector('#message').textContent === 'Signed out.'", WAIT);
                    assertThat(g.request("GET", "/api/v1/auth/me", token, null).status(), is(401));
                }

                // The command crossed the broker and the edge raised the barrier of that lane.
                edge.until("barrier of in-1 raised by the remote open", WAIT, () -> {
                    JsonNode lane = edge.lane("in-1");
                    return "OPEN".equals(lane.path("barrier").asText())
                            && "GATE_OPEN".equals(lane.path("phase").asText());
                });
                // ...and receipted it: the cloud's command row is applied, by whom and why.
                edge.until("command.applied for the barrier open", WAIT,
                        () -> Boolean.TRUE.equals(appliedOpenBarrier(g)));
                try (Connection c = g.database.connect();
                     PreparedStatement ps = c.prepareStatement("""
                             SELECT requested_by, applied_detail, body FROM commands
                             WHERE type = 'command.open-barrier' AND edge_id = 'A.L1'""");
                     ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next(), is(true));
                    assertThat(rs.getString("requested_by"), is("olga"));
                    assertThat(rs.getString("applied_detail"), is("lane in-1"));
                    assertThat(rs.getString("body").contains("ticket jammed, driver waiting"), is(true));
                    assertThat(rs.next(), is(false));
                }
                // The edge's lane event came back too: the cloud's view of the lane shows it open.
                edge.until("lane in-1 open in the cloud's level view", WAIT, () -> {
                    JsonNode level = levelInCloud(g, root);
                    if (level == null) {
                        return false;
                    }
                    for (JsonNode lane : level.path("lanes")) {
                        if ("in-1".equals(lane.path("laneId").asText())) {
                            return "OPEN".equals(lane.path("barrier").asText());
                        }
                    }
                    return false;
                });
            }

            JsonNode audit = g.request("GET", "/api/v1/audit?action=barrier.open", root, null).body();
            assertThat(audit.size(), is(1));
            assertThat(audit.get(0).get("actor").asText(), is("olga"));
            assertThat(audit.get(0).get("reason").asText(), is("ticket jammed, driver waiting"));
        }
    }

    private static JsonNode levelInCloud(GatewayFixture g, String token) throws Exception {
        TestHttp.Response r = g.request("GET", "/api/v1/lots/A/levels", token, null);
        if (r.status() != 200) {
            return null;
        }
        for (JsonNode level : r.body()) {
            if ("L1".equals(level.path("levelId").asText())) {
                return level;
            }
        }
        return null;
    }

    private static int freeInCloud(GatewayFixture g, String token) throws Exception {
        JsonNode level = levelInCloud(g, token);
        return level == null ? -1 : level.path("free").asInt(-1);
    }

    private static Boolean appliedOpenBarrier(GatewayFixture g) throws Exception {
        try (Connection c = g.database.connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT applied FROM commands WHERE type = 'command.open-barrier' AND edge_id = 'A.L1'");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? (Boolean) rs.getObject("applied") : null;
        }
    }
}
