package org.openparking.cloud.portal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.history.HistoryFixture;
import org.openparking.cloud.history.SimulatedDay;
import org.openparking.protocol.PaymentResult;
import org.openparking.testing.Chromium;
import org.openparking.testing.TestHttp;

/**
 * The portal's charts in headless Chromium over a simulated day driven through the real ingest: the tenant's
 * operator signs in and sees, for its own lot only, occupancy per level (24 h and 7 d), its edges' health with the
 * hour one edge was silent, and revenue and payment outcomes per day in the lot's time zone. What each chart drew
 * is compared with what the simulation reported; each chart is saved as a screenshot for the docs
 * ({@code -Dportal.screenshots.dir=../docs/img} writes them there). A refused search then shows the server's
 * message, and the token revoked, the page returns to the sign-in form.
 */
class PortalChartsBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SHOTS = Path.of(System.getProperty("portal.screenshots.dir", "target/screenshots"));

    @Test
    void anOperatorSeesItsLotsDayInChartsInTheLotsTimeZone() throws Exception {
        assumeTrue(Chromium.available() || "true".equals(System.getenv("CI")),
                "skipped: chromium is not installed (set CI=true to make this a failure)");
        Files.createDirectories(SHOTS);
        try (HistoryFixture fx = HistoryFixture.start(15)) {
            String olga = fx.login("olga", "olga-password-1");
            fx.describeLotA(olga);
            SimulatedDay day = fx.day;
            try (Chromium browser = Chromium.start()) {
                browser.navigate(fx.baseUrl() + "/portal/");
                browser.eval("document.querySelector('#username').value = 'olga';"
                        + "document.querySelector('#password').value = 'olga-password-1';"
                        + "document.querySelector('#login-button').click(); true");

                // Fleet: lot A only (B is another tenant's), named and in its zone, a line per level.
                browser.waitFor("!!(window.portalCharts && window.portalCharts['occupancy-A'])", WAIT);
                assertThat(browser.eval("document.querySelector('[data-lot=\"B\"]') === null").asBoolean(), is(true));
                // The header's links are white from style.css: the CSP (style-src 'self') ignores style attributes.
                assertThat(browser.text("getComputedStyle(document.querySelector('#nav a')).color"),
                        is("rgb(255, 255, 255)"));
                assertThat(browser.text("document.querySelector('[data-lot=\"A\"] h3').textContent"),
                        containsString("Harbour Garage (A)"));
                assertThat(browser.text("document.querySelector('[data-lot=\"A\"] h3').textContent"),
                        containsString(HistoryFixture.ZONE));
                JsonNode chart = browser.eval("(() => { const c = window.portalCharts['occupancy-A'];"
                        + " return { zone: c.zone, xs: c.xs, labels: c.labels, values: c.values }; })()");
                assertThat(chart.get("zone").asText(), is(HistoryFixture.ZONE));
                assertThat(chart.get("labels").get(0).asText(), is("L1 (of 120)"));
                assertThat(chart.get("labels").get(1).asText(), is("L2 (of 80)"));
                assertDrawnPeaks(day, chart, 300);
                assertThat("the line of L1 is painted", paintedPixels(browser, "occupancy-A", "#1f6fb4"),
                        greaterThan(200));
                // The lane is a picker of the lanes the edge reported.
                assertThat(browser.eval("[...document.querySelectorAll('#lane-A-L1 option')].map(o => o.value)"
                        + ".join(',')").asText(), is("in-1,out-1"));
                // The level's last change is a time in the lot's zone, not a raw timestamp.
                assertThat(browser.text("document.querySelector('[data-updated=\"A/L1\"]').textContent"),
                        containsString(zoneAbbreviation(browser)));
                shoot(browser, "[data-lot=\"A\"]", SHOTS.resolve("portal-occupancy-24h.png"));

                // A poll sends If-None-Match and gets 304 while nothing changed.
                browser.eval("window.portalPollNow(); true");
                browser.waitFor("window.portalPolls.notModified > 0", WAIT);

                browser.eval("const r = document.querySelector('#fleet-range'); r.value = '7d';"
                        + " r.dispatchEvent(new Event('change')); true");
                browser.waitFor("window.portalCharts['occupancy-A'].xs.length === 168", WAIT);
                assertDrawnPeaks(day, browser.eval("(() => { const c = window.portalCharts['occupancy-A'];"
                        + " return { xs: c.xs, labels: c.labels, values: c.values }; })()"), 3600);
                shoot(browser, "[data-lot=\"A\"] .chart", SHOTS.resolve("portal-occupancy-7d.png"));

                // Edge health: the silent edge's hour at 0 % online, its backlog's age afterwards.
                browser.eval("document.querySelector('[data-view=\"edges\"]').click(); true");
                browser.waitFor("!!window.portalCharts['health-online-A']", WAIT);
                JsonNode online = browser.eval("(() => { const c = window.portalCharts['health-online-A'];"
                        + " return { xs: c.xs, labels: c.labels, values: c.values }; })()");
                List<String> labels = texts(online.get("labels"));
                int silent = labels.indexOf(day.silentEdge);
                JsonNode xs = online.get("xs");
                int zeros = 0;
                for (int i = 0; i < xs.size(); i++) {
                    long at = xs.get(i).asLong();
                    long seen = day.minutesSeen(day.silentEdge, java.time.Instant.ofEpochSecond(at),
                            java.time.Instant.ofEpochSecond(at + 300));
                    assertThat("online % at " + at, online.get("values").get(silent).get(i).asInt(),
                            is((int) Math.round(seen * 100 / 5.0)));
                    if (seen == 0 && at > day.start.getEpochSecond()) {
                        zeros++;
                    }
                }
                assertThat(zeros, greaterThan(10));
                shoot(browser, "#edges-view", SHOTS.resolve("portal-edge-health.png"));

                // Payments: revenue per day of lot A in New York days, outcomes per day.
                browser.eval("document.querySelector('[data-view=\"payments\"]').click(); true");
                browser.waitFor("!!window.portalCharts['revenue-EUR'] && !!window.portalCharts['outcomes']", WAIT);
                ZoneId zone = ZoneId.of(HistoryFixture.ZONE);
                Map<LocalDate, Long> paid = day.paidPerDay("A", zone);
                Map<LocalDate, Long> declined = day.countPerDay("A", zone, PaymentResult.Outcome.DECLINED);
                JsonNode revenue = browser.eval("(() => { const c = window.portalCharts['revenue-EUR'];"
                        + " return { xs: c.xs, labels: c.labels, values: c.values }; })()");
                JsonNode outcomes = browser.eval("(() => { const c = window.portalCharts['outcomes'];"
                        + " return { labels: c.labels, values: c.values }; })()");
                assertThat(texts(revenue.get("labels")), is(List.of("Harbour Garage (A)")));
                assertThat(revenue.get("xs").size(), is(14));
                LocalDate today = LocalDate.now(zone);
                long drawnTotal = 0;
                for (int i = 0; i < 14; i++) {
                    LocalDate d = today.minusDays(13 - i);
                    // Each bar stands at midnight of its day in New York.
                    assertThat(revenue.get("xs").get(i).asLong(), is(d.atStartOfDay(zone).toEpochSecond()));
                    assertThat("revenue on " + d, revenue.get("values").get(0).get(i).asLong(),
                            is(paid.getOrDefault(d, 0L)));
                    assertThat("declined on " + d, outcomes.get("values").get(1).get(i).asLong(),
                            is(declined.getOrDefault(d, 0L)));
                    drawnTotal += revenue.get("values").get(0).get(i).asLong();
                }
                assertThat(drawnTotal, greaterThan(0L));
                assertThat(paintedPixels(browser, "revenue-EUR", "#1f6fb4"), greaterThan(200));
                shoot(browser, "#revenue-charts", SHOTS.resolve("portal-revenue.png"));

                // A refusal is the server's message as it sent it: a session id that does not exist.
                TestHttp.Response missing = fx.request("GET", "/api/v1/sessions/no-such-session", olga, null);
                assertThat(missing.status(), is(404));
                browser.eval("document.querySelector('[data-view=\"sessions\"]').click(); true");
                browser.waitFor("!document.querySelector('#sessions-view').hidden", WAIT);
                browser.eval("document.querySelector('#sessions-form [name=\"id\"]').value = 'no-such-session';"
                        + "document.querySelector('#sessions-form button').click(); true");
                browser.waitFor("document.querySelector('#message').className === 'error'", WAIT);
                assertThat(browser.text("document.querySelector('#message').textContent"),
                        is(missing.body().path("message").asText()));

                // The page's token is revoked (as a sign-out elsewhere or an expiry would end it): the next call's
                // 401 brings the sign-in form back, says why, hides the operator's views and forgets the token.
                String pageToken = browser.text("sessionStorage.getItem('token')");
                assertThat(fx.request("POST", "/api/v1/auth/logout", pageToken, null).status(), is(200));
                browser.eval("document.querySelector('[data-view=\"fleet\"]').click(); true");
                browser.waitFor("!document.querySelector('#login-view').hidden && document.querySelector('#message')"
                        + ".textContent === 'Your session ended; sign in again.'", WAIT);
                assertThat(browser.eval("document.querySelector('#nav').hidden"
                        + " && [...document.querySelectorAll('.view')].every(v => v.hidden)"
                        + " && sessionStorage.getItem('token') === null").asBoolean(), is(true));
            }
        }
    }

    /** What the chart drew per level is each step's peak as the simulation had it. */
    private static void assertDrawnPeaks(SimulatedDay day, JsonNode chart, long step) {
        JsonNode xs = chart.get("xs");
        int compared = 0;
        for (int s = 0; s < 2; s++) {
            String levelId = chart.get("labels").get(s).asText().split(" ")[0];
            for (int i = 0; i < xs.size(); i++) {
                java.time.Instant at = java.time.Instant.ofEpochSecond(xs.get(i).asLong());
                Integer expected = day.maxIn("A", levelId, at, at.plusSeconds(step));
                JsonNode drawn = chart.get("values").get(s).get(i);
                assertThat(levelId + " at " + at, drawn.isNull() ? null : drawn.asInt(), is(expected));
                if (expected != null) {
                    compared++;
                }
            }
        }
        assertThat(compared, greaterThan(40));
    }

    /** Pixels of about this colour on the chart's canvas: the series was painted, not only handed over. */
    private static int paintedPixels(Chromium browser, String chartId, String hex) throws Exception {
        return browser.eval("(() => { const u = window.portalCharts['" + chartId + "'].plot;"
                + " const d = u.ctx.getImageData(0, 0, u.ctx.canvas.width, u.ctx.canvas.height).data;"
                + " const h = '" + hex + "'; const r = parseInt(h.slice(1,3),16), g = parseInt(h.slice(3,5),16),"
                + " b = parseInt(h.slice(5,7),16); let n = 0;"
                + " for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]-r) < 40 && Math.abs(d[i+1]-g) < 40"
                + " && Math.abs(d[i+2]-b) < 40 && d[i+3] > 100) n++; return n; })()").asInt();
    }

    private static String zoneAbbreviation(Chromium browser) throws Exception {
        return browser.text("new Intl.DateTimeFormat(undefined, { timeZone: '" + HistoryFixture.ZONE
                + "', timeZoneName: 'short' }).formatToParts(new Date()).find(p => p.type === 'timeZoneName').value");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A screenshot of one element (scrolled into view), at the page's own scale. */
    private static void shoot(Chromium browser, String selector, Path png) throws Exception {
        JsonNode box = browser.eval("(() => { const e = document.querySelector('" + selector.replace("'", "\\'")
                + "'); e.scrollIntoView(); const r = e.getBoundingClientRect();"
                + " return { x: r.x + window.scrollX, y: r.y + window.scrollY, w: r.width, h: r.height }; })()");
        JsonNode shot = browser.send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", box.get("x").asDouble(), "y", box.get("y").asDouble(),
                        "width", box.get("w").asDouble(), "height", box.get("h").asDouble(), "scale", 1)));
        Files.write(png, Base64.getDecoder().decode(shot.get("data").asText()));
    }
}
