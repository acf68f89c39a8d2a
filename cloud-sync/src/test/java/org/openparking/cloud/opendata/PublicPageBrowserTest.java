package org.openparking.cloud.opendata;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.testing.Chromium;

/**
 * The public page, outside the portal and without a login, in headless Chromium: it shows a lot's live free
 * count from the public API and follows a change without a reload; a stale lot reads as "no live data" and a
 * closed one as closed, not as full.
 */
class PublicPageBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SITE = """
            {"published":true,"name":"%s","address":"Altmarkt 1, Dresden","lat":51.05,"lon":13.74,
             "timeZone":"Europe/Berlin","openingHours":"24/7"}""";

    @Test
    void aDriverSeesLiveAvailabilityStaleAndClosedLotsAsSuch() throws Exception {
        assumeTrue(Chromium.available() || "true".equals(System.getenv("CI")),
                "skipped: chromium is not installed (set CI=true to make this a failure)");
        try (OpenDataFixture f = OpenDataFixture.start(OpenDataSettings.defaults())) {
            f.createOperator("olga", "olga-password-1", "op-a", "A", "S", "C");
            String olga = f.login("olga", "olga-password-1");
            for (String lot : new String[] {"A", "S", "C"}) {
                assertThat(f.put("/api/v1/lots/" + lot + "/open-data", olga, SITE.formatted("Lot " + lot)).status(),
                        is(200));
            }
            f.report("A", "L1", 20, 12, "OPEN", Map.of());
            f.report("S", "L1", 30, 9, "OPEN", Map.of());
            f.report("C", "L1", 40, 25, "CLOSED", Map.of());
            Jdbc.inTransaction(f.app.dataSource(), c -> Jdbc.update(c,
                    "UPDATE edges SET last_seen = now() - interval '2 hours' WHERE lot_id = 'S'"));

            try (Chromium browser = Chromium.start()) {
                browser.navigate(f.url("/availability/?poll=2"));
                String free = "document.querySelector('[data-free=\"%s\"]')?.textContent";
                browser.waitFor(free.formatted("A") + " === '12'", WAIT);
                assertThat(browser.text(free.formatted("S")), is("No live data"));
                assertThat(browser.text("document.querySelector('[data-status=\"S\"]').textContent"),
                        containsString("live data unavailable"));
                assertThat(browser.text(free.formatted("C")), is("Closed"));
                assertThat(browser.text("document.querySelector('[data-status=\"C\"]').textContent"), is("closed"));

                // A car enters at A: the page follows on its next poll, no reload.
                f.report("A", "L1", 20, 11, "OPEN", Map.of());
                browser.waitFor(free.formatted("A") + " === '11'", WAIT);
                assertThat(browser.text("document.querySelector('#state').textContent"), is("live"));
            }
        }
    }
}
