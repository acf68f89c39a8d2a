package org.openparking.edge.realtime;

import org.openparking.edge.TestEdge;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Chromium;

/**
 * The live console in a real headless Chromium: the page loads, a spot changes through the simulator API,
 * and the free count and the spot tile change on the page without a reload (server-sent events).
 * Skips only when Chromium is not installed and CI is not "true"; in CI a missing browser fails the test.
 */
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Path chromium() {
        Optional<Path> binary = Chromium.binary();
        if (binary.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but no chromium is installed (apt-get install -y chromium)");
            }
            Assumptions.abort("chromium is not installed (apt-get install -y chromium): browser test skipped");
        }
        return binary.get();
    }

    @Test
    void aCountingLevelShowsItsRampsAndACarDrivingUpChangesTheCountLive() throws Exception {
        try (TestEdge edge = TestEdge.startWithRamps(Map.of(VehicleType.STANDARD, 4),
                List.of(new EdgeSettings.Ramp("up", VehicleType.STANDARD)));
             Chromium browser = Chromium.start(chromium())) {
            browser.navigate(edge.root() + "/console/");
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("String(document.getElementById('ramps-section').hidden)"),
                            "false"::equals);
            assertThat(browser.text("document.getElementById('free').textContent"), is("4"));
            edge.post("/simulator/ramps/up/passages", "{\"direction\":\"IN\"}");
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("document.getElementById('free').textContent"), "3"::equals);
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("document.querySelector('#ramp-up .in').textContent"), "1"::equals);
        }
    }

    @Test
    void theConsoleFollowsASpotChangeLive() throws Exception {
        Path binary = chromium();
        // A level with the names people use and its lot's zone (edge.lot-name, edge.level-name, edge.time-zone).
        Path dir = java.nio.file.Files.createTempDirectory("edge-console");
        EdgeSettings base = LiveEdge.settings(dir, LiveEdge.Options.sensors(
                Map.of(VehicleType.STANDARD, 6, VehicleType.EV, 2, VehicleType.DISABLED, 1))
                .heartbeat(Duration.ofSeconds(1)));
        EdgeSettings named = new EdgeSettings(base.lotId(), base.levelId(), base.db(), base.hardware(),
                base.occupancyMode(), base.lanes(), base.spots(), base.tariff(), base.ticketSecret(),
                base.passageTimeout(), base.payments(), base.mqtt(), base.amqpUri(), base.auth(), base.ramps(),
                new EdgeSettings.Site(base.lotId(), base.levelId(), "Harbour Garage", "Level 0 (street)",
                        "America/New_York"));
        try (TestEdge edge = TestEdge.start(dir, named, java.time.Clock.systemUTC());
             Chromium browser = Chromium.start(binary)) {
            browser.navigate(edge.root() + "/console/");
            await().atMost(WAIT).ignoreExceptions().until(
                    () -> browser.text("document.getElementById('title').textContent"),
                    "Harbour Garage · Level 0 (street)"::equals);
            edge.spot("STANDARD-004", true);
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("document.getElementById('free').textContent"), "8"::equals);
            assertThat("a level without ramps shows no ramp table",
                    browser.text("String(document.getElementById('ramps-section').hidden)"), is("true"));
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("document.getElementById('live').textContent"), "live"::equals);
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("document.getElementById('sync').textContent"), "OFFLINE_ONLY"::equals);
            String reloads = browser.text("String(performance.getEntriesByType('navigation').length)");

            edge.spot("EV-001", true);
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("document.getElementById('free').textContent"), "7"::equals);
            await().atMost(WAIT).ignoreExceptions().until(
                    () -> browser.text("document.getElementById('spot-EV-001').className"), "spot occupied"::equals);
            assertThat(browser.text("document.querySelector('#type-EV .free').textContent"), is("1"));
            assertThat(browser.text("String(performance.getEntriesByType('navigation').length)"), is(reloads));

            edge.post("/simulator/lanes/in-1/arming", "{\"present\":true}");
            await().atMost(WAIT).ignoreExceptions().until(
                    () -> browser.text("document.querySelector('#lane-in-1').children[3].textContent"),
                    "VEHICLE_WAITING"::equals);

            // The last change is a time a person reads (zone named, to the second), the exact instant in its tooltip.
            String instant = browser.text("document.getElementById('updated').dataset.instant");
            assertThat(instant, is(edge.get("/availability").body().path("updatedAt").asText()));
            String shown = browser.text("document.getElementById('updated').textContent");
            assertThat(shown, not(containsString(instant)));
            // In the lot's zone (EST or EDT), whatever the zone of the browser.
            assertThat(shown, containsString(browser.text("new Intl.DateTimeFormat(undefined, { timeZone: "
                    + "'America/New_York', timeZoneName: 'short' }).formatToParts(new Date(document.getElementById("
                    + "'updated').dataset.instant)).find(p => p.type === 'timeZoneName').value")));
            assertThat(shown, containsString(browser.text("String(new Date(document.getElementById('updated')"
                    + ".dataset.instant).getFullYear())")));

            browser.screenshot(Path.of(System.getProperty("java.io.tmpdir"), "console.png"));
        }
    }

    @Test
    void theConsoleExplainsAQuoteLineByLine() throws Exception {
        try (TestEdge edge = TestEdge.start(Map.of(VehicleType.STANDARD, 4));
             Chromium browser = Chromium.start(chromium())) {
            String ticket = edge.enterAndPass("QUOTE1").get("ticket").asText();
            edge.clock().advance(Duration.ofHours(2));
            browser.navigate(edge.root() + "/console/");
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("document.getElementById('free').textContent"), "3"::equals);
            browser.eval("document.getElementById('quote-ticket').value = '" + ticket + "';"
                    + "document.getElementById('quote-coupon').value = 'NOPE';"
                    + "document.querySelector('#quote-form button').click()");
            await().atMost(WAIT).ignoreExceptions().until(
                    () -> browser.text("document.getElementById('quote-error').textContent"),
                    t -> t.startsWith("COUPON_UNKNOWN"));
            browser.eval("document.getElementById('quote-coupon').value = '';"
                    + "document.querySelector('#quote-form button').click()");
            await().atMost(WAIT).ignoreExceptions().until(
                    () -> browser.text("document.getElementById('quote-fee').textContent"),
                    t -> t.startsWith("6.00 EUR"));
            assertThat(browser.text("document.getElementById('quote-error').textContent"), is(""));
            assertThat(browser.text("[...document.querySelectorAll('#quote-lines tbody tr')]"
                    + ".map(r => r.children[0].textContent + '=' + r.children[2].textContent).join(' ')"),
                    is("GRACE=0.00 PERIODS=6.00 DAILY_CAP=0.00 EARLY_BIRD=0.00 SURCHARGE=0.00 PERMIT=0.00"
                            + " VALIDATION=0.00 COUPON=0.00"));
        }
    }
    /**
     * A refusal shows its named reason and message on the lane's row (from {@code GET /lanes} lastRefusal, the same
     * text the API answered), on the entry lane and on the exit lane, and goes once the lane lets a vehicle through.
     */
    @Test
    void aRefusedEntryAndExitShowTheirReasonOnTheLane() throws Exception {
        try (TestEdge edge = TestEdge.start(Map.of(VehicleType.STANDARD, 4));
             Chromium browser = Chromium.start(chromium())) {
            browser.navigate(edge.root() + "/console/");
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> browser.text("document.getElementById('free').textContent"), "4"::equals);
            assertThat(browser.text("document.querySelector('#lane-in-1 .refusal').textContent.trim()"), is(""));
            edge.enterAndPass("REF-1");

            org.openparking.testing.TestHttp.Response entry = edge.post("/lanes/in-1/entries", "{\"plate\":\"REF-1\"}");
            assertThat(entry.text(), entry.status(), is(409));
            assertThat(entry.body().path("error").asText(), is("PLATE_ALREADY_INSIDE"));
            await().atMost(WAIT).ignoreExceptions().until(
                    () -> browser.text("document.querySelector('#lane-in-1 .refusal .reason').textContent"),
                    "PLATE_ALREADY_INSIDE"::equals);
            assertThat(browser.text("document.querySelector('#lane-in-1 .refusal .message').textContent"),
                    is(entry.body().path("message").asText()));
            assertThat(browser.text("document.querySelector('#lane-in-1').className"), is("refused"));

            // Pay-by-plate with no plate read: refused by name, the driver is asked for a ticket.
            org.openparking.testing.TestHttp.Response exit = edge.post("/lanes/out-1/exits", "{\"ticketless\":true}");
            assertThat(exit.text(), exit.status(), is(409));
            String reason = exit.body().path("error").asText();
            await().atMost(WAIT).ignoreExceptions().until(
                    () -> browser.text("document.querySelector('#lane-out-1 .refusal .reason').textContent"),
                    reason::equals);
            assertThat(browser.text("document.querySelector('#lane-out-1 .refusal .message').textContent"),
                    is(exit.body().path("message").asText()));
            assertThat("the entry lane still shows its own refusal",
                    browser.text("document.querySelector('#lane-in-1 .refusal .reason').textContent"),
                    is("PLATE_ALREADY_INSIDE"));

            browser.screenshot(Path.of(System.getProperty("edge.screenshot.dir", System.getProperty("java.io.tmpdir")),
                    "edge-console-refusal.png")); // -Dedge.screenshot.dir=../docs/img
            // The next car through in-1 clears the lane's refusal.
            edge.enterAndPass("REF-2");
            await().atMost(WAIT).ignoreExceptions().until(
                    () -> browser.text("document.querySelector('#lane-in-1 .refusal').textContent.trim()"), ""::equals);
            assertThat(browser.text("document.querySelector('#lane-in-1').className"), is(""));
        }
    }
}
