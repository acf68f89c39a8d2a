package org.openparking.cloud.portal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.GatewayFixture;
import org.openparking.cloud.auth.Role;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.AppliedDiscount;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Json;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.PoolCounts;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Chromium;
import org.openparking.testing.TestHttp;

/**
 * The portal's lanes-and-rates page (issue 19) in headless Chromium against a real cloud-sync (PostgreSQL,
 * RabbitMQ): an operator signs in, is offered only its own tenant's lot, creates a pool, a permit, a reservation,
 * a validator and a coupon through the forms, sees them listed, suspends the permit, and gets the server's own
 * code and message for a permit with neither plate nor card (nothing stored), edits the suspended permit (the
 * suspension stays), and sees a card id that is markup as text, never run. Two levels then report closed
 * sessions through the broker with the coupon (over its max uses, as two offline levels would) and a validation:
 * the page flags the coupon over-used with its uses per level and shows the bill-back line. Judged also by the
 * database rows, the audit log and the pushed commands. Its token revoked, the page returns to the sign-in form. {@code -Dportal.screenshots.dir=../docs/img} writes the
 * screenshot for docs/lanes.md there.
 */
class LanesPageBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SHOTS = Path.of(System.getProperty("portal.screenshots.dir", "target/screenshots"));

    private static String set(String id, String value) {
        return "document.querySelector('#" + id + "').value = " + Json.mapper().valueToTree(value) + ";";
    }

    private static String click(String selector) {
        return "document.querySelector(" + Json.mapper().valueToTree(selector) + ").click(); true";
    }

    /** The datetime-local text of an instant in the browser's zone, as a person types it. */
    private static String local(Chromium browser, Instant at) throws Exception {
        return browser.text("(() => { const d = new Date('" + at + "'); const p = (n) => String(n).padStart(2, '0');"
                + " return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours())"
                + " + ':' + p(d.getMinutes()); })()");
    }

    @Test
    void anOperatorManagesPermitsAndCouponsOfItsOwnLotAndSeesTheServersRefusals() throws Exception {
        assumeTrue(Chromium.available() || "true".equals(System.getenv("CI")),
                "skipped: chromium is not installed (set CI=true to make this a failure)");
        Files.createDirectories(SHOTS);
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults())) {
            g.createUser("olga", "olga-password-1", Role.OPERATOR, "op-a");
            g.assignLot("op-a", "A");
            g.createUser("bert", "bert-password-1", Role.OPERATOR, "op-b");
            g.assignLot("op-b", "B");
            String root = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
            for (String[] edge : new String[][] {{"A", "L1"}, {"A", "L2"}, {"B", "L1"}}) {
                assertThat(g.request("POST", "/api/v1/edges", root, "{\"lotId\":\"" + edge[0] + "\",\"levelId\":\""
                        + edge[1] + "\"}").status(), is(201));
            }
            String bert = g.login("bert", "bert-password-1");
            assertThat(g.request("POST", "/api/v1/lots/B/permits", bert,
                    "{\"permitId\":\"b-secret\",\"plate\":\"BB-1\"}").status(), is(201));
            // What the server says about a permit with neither plate nor card: the page must show this.
            String olga = g.login("olga", "olga-password-1");
            TestHttp.Response direct = g.request("POST", "/api/v1/lots/A/permits", olga, "{\"permitId\":\"p-bad\"}");
            assertThat(direct.status(), is(400));
            String refusal = "400 " + direct.body().path("error").asText() + ": "
                    + direct.body().path("message").asText();
            assertThat(refusal, containsString("needs a plate or a card"));

            Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofDays(1));
            Instant until = from.plus(Duration.ofDays(30));
            // A card id that is markup: the page must show it as text, never run it.
            String markup = "<img src=x onerror=\"window.pwned=1\">";
            assertThat(g.request("POST", "/api/v1/lots/A/permits", olga, Json.mapper().writeValueAsString(
                    java.util.Map.of("permitId", "p-card", "card", markup))).status(), is(201));
            try (Chromium browser = Chromium.start()) {
                // ?lot=B asks for another tenant's lot: it is not offered.
                browser.navigate(g.baseUrl() + "/portal/lanes.html?lot=B");
                browser.waitFor("!document.querySelector('#login-view').hidden", WAIT);
                browser.eval(set("username", "olga") + set("password", "olga-password-1")
                        + click("#login-button"));
                browser.waitFor("!document.querySelector('#lanes-editor').hidden && window.lanesLoaded >= 1", WAIT);
                assertThat(browser.text("[...document.querySelectorAll('#lanes-lot option')].map(o => o.value)"
                        + ".join(',')"), is("A"));
                assertThat(browser.text("document.querySelector('#lanes-lot').value"), is("A"));
                assertThat(browser.text("document.querySelector('[data-permit=\"p-card\"]').children[2].textContent"),
                        is(markup));
                assertThat(browser.eval("window.pwned === undefined && !document.querySelector('#permits img')")
                        .asBoolean(), is(true));
                assertThat("lot B's permit is not shown", browser.eval(
                        "document.querySelector('[data-permit=\"b-secret\"]') === null").asBoolean(), is(true));

                browser.eval(set("pool-id", "acme") + set("pool-max", "2") + set("pool-shares", "L1=2, L2=2")
                        + click("#pool-save"));
                browser.waitFor("document.querySelector('#message').textContent.startsWith('Saved pool acme')"
                        + " && !!document.querySelector('[data-pool=\"acme\"]')", WAIT);

                browser.eval(set("permit-id", "p-acme-1") + set("permit-plate", "ab-101") + set("permit-from",
                        local(browser, from)) + set("permit-until", local(browser, until))
                        + set("permit-window", "SOFT")
                        + set("permit-levels", "L1, L2") + set("permit-pool", "acme") + click("#permit-save"));
                browser.waitFor("document.querySelector('#message').textContent"
                        + ".startsWith('Saved permit p-acme-1 (new)')"
                        + " && !!document.querySelector('[data-permit=\"p-acme-1\"]')", WAIT);
                assertThat(browser.text("document.querySelector('#message').textContent"),
                        containsString("Pushed as version 3 to 2 levels."));
                assertThat(browser.text("[...document.querySelector('[data-permit=\"p-acme-1\"]').children]"
                        + ".slice(0, 3).map(c => c.textContent).join('|')"), is("p-acme-1|AB101|"));

                // A bad permit: the server's code and message as they are, nothing stored.
                browser.eval(set("permit-id", "p-bad") + set("permit-plate", "") + set("permit-from", "")
                        + set("permit-until", "") + set("permit-levels", "") + set("permit-pool", "")
                        + click("#permit-save"));
                browser.waitFor("document.querySelector('#message').className === 'error'", WAIT);
                assertThat(browser.text("document.querySelector('#message').textContent"), is(refusal));

                browser.eval(set("reservation-id", "r-gala")
                        + set("reservation-from", local(browser, from.plus(Duration.ofDays(2))))
                        + set("reservation-until", local(browser, from.plus(Duration.ofDays(2)).plusSeconds(5 * 3600)))
                        + "document.querySelector('#reservation-prepaid').checked = true;"
                        + click("#reservation-save"));
                browser.waitFor("!!document.querySelector('[data-reservation=\"r-gala\"]')", WAIT);

                browser.eval(set("validator-id", "cinema") + set("validator-name", "Cinema Luna")
                        + set("validator-department", "box office") + set("validator-kind", "TIME_OFF")
                        + set("validator-value", "180") + click("#validator-save"));
                browser.waitFor("!!document.querySelector('[data-validator=\"cinema\"]')", WAIT);
                browser.eval(set("coupon-code", "SPRING10") + set("coupon-kind", "PERCENT_OFF") + set("coupon-value",
                        "10") + set("coupon-max", "1") + click("#coupon-save"));
                browser.waitFor("document.querySelector('#message').textContent.startsWith('Created coupon SPRING10')"
                        + " && !!document.querySelector('[data-coupon=\"SPRING10\"]')", WAIT);
                // The same code twice: the server's conflict, shown as it is.
                browser.eval(click("#coupon-save"));
                browser.waitFor("document.querySelector('#message').className === 'error'", WAIT);
                assertThat(browser.text("document.querySelector('#message').textContent"),
                        is("409 COUPON_EXISTS: coupon SPRING10 already exists on lot A"));

                browser.eval(set("permit-suspend-reason", "unpaid since March")
                        + click("[data-suspend=\"p-acme-1\"]"));
                browser.waitFor("document.querySelector('[data-permit=\"p-acme-1\"] .state')?.textContent"
                        + " === 'suspended (unpaid since March)'", WAIT);
                assertThat(browser.text("document.querySelector('[data-suspend=\"p-acme-1\"]').textContent"),
                        is("Reinstate"));

                // Edit fills the form from the listed permit; saving replaces it and keeps the suspension.
                browser.eval(click("[data-edit=\"permit:p-acme-1\"]"));
                assertThat(browser.text("['permit-id', 'permit-plate', 'permit-window', 'permit-levels', 'permit-pool']"
                        + ".map(id => document.querySelector('#' + id).value).join('|')"),
                        is("p-acme-1|AB101|SOFT|L1, L2|acme"));
                assertThat(browser.text("document.querySelector('#permit-from').value"), is(local(browser, from)));
                browser.eval(set("permit-levels", "L1") + click("#permit-save"));
                browser.waitFor("document.querySelector('#message').textContent"
                        + ".startsWith('Saved permit p-acme-1 (replaced)')", WAIT);
                browser.waitFor("document.querySelector('[data-permit=\"p-acme-1\"]').children[6].textContent === 'L1'",
                        WAIT);
                assertThat(browser.text("document.querySelector('[data-permit=\"p-acme-1\"] .state').textContent"),
                        is("suspended (unpaid since March)"));

                // Two levels close sessions with the one-use coupon (offline, each thought it was the first) and one
                // with the cinema's validation; the cloud counts what they report.
                Instant exit = Instant.now().minus(Duration.ofHours(1));
                publishClosed(g, "A", "L1", "s-1", exit, List.of(new AppliedDiscount("COUPON", "SPRING10", null, 80),
                        new AppliedDiscount("VALIDATION", "cinema", "box office", 600)));
                publishClosed(g, "A", "L2", "s-2", exit, List.of(new AppliedDiscount("COUPON", "SPRING10", null, 50)));
                // Each level admitted on its own share while offline and reports its count: 2 + 1 inside, max 2.
                g.publishFromEdge(Envelope.of(Envelope.edgeId("A", "L1"), "A", "L1", 3, exit,
                        new PoolCounts(1, 4, java.util.Map.of("acme", 2))));
                g.publishFromEdge(Envelope.of(Envelope.edgeId("A", "L2"), "A", "L2", 3, exit,
                        new PoolCounts(1, 4, java.util.Map.of("acme", 1))));
                g.awaitApplied(6);
                org.awaitility.Awaitility.await().atMost(WAIT).until(() -> g.getOk("/api/v1/lots/A/coupons", olga)
                        .get(0).path("uses").asInt() == 2);
                browser.eval(click("#lanes-reload"));
                browser.waitFor("document.querySelector('[data-coupon=\"SPRING10\"] .uses')?.textContent === '2'",
                        WAIT);
                assertThat(browser.text("document.querySelector('[data-coupon=\"SPRING10\"] .by-level').textContent"),
                        is("L1: 1, L2: 1"));
                assertThat(browser.text("document.querySelector('[data-coupon=\"SPRING10\"]').lastChild.textContent"),
                        is("OVER-USED"));
                assertThat(browser.text("[...document.querySelector('[data-billback=\"cinema|box office\"]').children]"
                        + ".map(c => c.textContent).join('|')"), is("cinema|Cinema Luna|box office|1|6.00"));
                assertThat(browser.text("[...document.querySelector('[data-pool=\"acme\"]').children]"
                        + ".map(c => c.textContent).join('|')"), is("acme|2|L1: 2, L2: 2|L1: 2, L2: 1|3|1|Edit"));
                assertThat("drift is flagged", browser.text("document.querySelector('[data-pool=\"acme\"]')"
                        + ".children[5].className"), is("drift"));
                shootPage(browser, SHOTS.resolve("portal-lanes.png"));

                // The page's token is revoked (as a sign-out elsewhere or an expiry would end it): the next call's
                // 401 brings the sign-in form back, says why, and the token is forgotten.
                String pageToken = browser.text("sessionStorage.getItem('token')");
                assertThat(g.request("POST", "/api/v1/auth/logout", pageToken, null).status(), is(200));
                browser.eval(click("#lanes-reload"));
                browser.waitFor("!document.querySelector('#login-view').hidden", WAIT);
                assertThat(browser.text("document.querySelector('#message').textContent"),
                        is("Your session ended; sign in again."));
                assertThat(browser.eval("document.querySelector('#lanes-editor').hidden"
                        + " && sessionStorage.getItem('token') === null").asBoolean(), is(true));
            }

            // What the page did, as the database and the API hold it.
            List<String> permits = Jdbc.read(g.app.dataSource(), c -> Jdbc.query(c, "SELECT lot_id || '/' ||"
                    + " permit_id || '/' || coalesce(plate, '') || '/' || time_window || '/' || array_to_string(levels, ',') || '/'"
                    + " || coalesce(pool_id, '') || '/' || suspended || '/' || coalesce(suspended_reason, '')"
                    + " FROM lane_permits"
                    + " ORDER BY lot_id, permit_id", rs -> rs.getString(1)));
            assertThat(permits, is(List.of("A/p-acme-1/AB101/SOFT/L1/acme/true/unpaid since March",
                    "A/p-card//HARD///false/", "B/b-secret/BB1/HARD///false/")));
            JsonNode permit = g.getOk("/api/v1/lots/A/permits", olga).get(0);
            assertThat(Instant.parse(permit.path("validFrom").asText()), is(from));
            assertThat(Instant.parse(permit.path("validUntil").asText()), is(until));
            JsonNode reservation = g.getOk("/api/v1/lots/A/reservations", olga).get(0);
            // The code is the server's signed one, and the page lists exactly that.
            assertThat(reservation.path("code").asText(), startsWith("R1."));
            assertThat(reservation.path("prepaid").asBoolean(), is(true));
            assertThat(Instant.parse(reservation.path("from").asText()), is(from.plus(Duration.ofDays(2))));
            assertThat(g.getOk("/api/v1/lots/A/validators", olga).get(0).path("department").asText(), is("box office"));
            JsonNode coupon = g.getOk("/api/v1/lots/A/coupons", olga).get(0);
            assertThat(coupon.path("kind").asText() + " " + coupon.path("value").asLong() + " max "
                    + coupon.path("maxUses").asInt() + " overUsed " + coupon.path("overUsed").asBoolean(),
                    is("PERCENT_OFF 10 max 1 overUsed true"));
            List<String> audit = Jdbc.read(g.app.dataSource(), c -> Jdbc.query(c, "SELECT action || ' by ' || actor"
                    + " FROM audit_log WHERE lot_id = 'A' AND actor = 'olga' ORDER BY id", rs -> rs.getString(1)));
            assertThat(audit, is(List.of("permit.put by olga", "pool.put by olga", "permit.put by olga", "reservation.put by olga",
                    "validator.create by olga", "coupon.create by olga", "permit.suspend by olga",
                    "permit.put by olga")));
            // Every rules change (6) went to both levels of lot A, none to lot B's.
            List<String> pushed = Jdbc.read(g.app.dataSource(), c -> Jdbc.query(c, "SELECT edge_id || ' ' || count(*)"
                    + " FROM commands WHERE type = 'command.update-lane-rules' GROUP BY edge_id ORDER BY edge_id",
                    rs -> rs.getString(1)));
            assertThat(pushed, is(List.of("A.L1 6", "A.L2 6", "B.L1 1")));
        }
    }

    /** The whole page, beyond the window's height. */
    private static void shootPage(Chromium browser, Path png) throws Exception {
        browser.eval("window.scrollTo(0, 0); true");
        double height = browser.eval("document.documentElement.scrollHeight").asDouble();
        JsonNode shot = browser.send("Page.captureScreenshot", java.util.Map.of("format", "png",
                "captureBeyondViewport", true, "clip", java.util.Map.of("x", 0, "y", 0, "width", 1280,
                        "height", height, "scale", 1)));
        Files.write(png, java.util.Base64.getDecoder().decode(shot.get("data").asText()));
    }

    private static void publishClosed(GatewayFixture g, String lot, String level, String session, Instant exit,
                                      List<AppliedDiscount> discounts) throws Exception {
        String edge = Envelope.edgeId(lot, level);
        Instant entry = exit.minus(Duration.ofHours(2));
        g.publishFromEdge(Envelope.of(edge, lot, level, 1, entry, new SessionOpened(session, "in-1", "XY" + session
                .substring(2), VehicleType.STANDARD, entry, 1)));
        g.publishFromEdge(Envelope.of(edge, lot, level, 2, exit, new SessionClosed(session, "out-1", entry, exit, 0,
                "EUR", PaymentStatus.NOT_REQUIRED, null, 1, false, discounts)));
    }
}
