package org.openparking.cloud.opendata;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;
import org.openparking.testing.Chromium;
import org.openparking.testing.TestHttp;

/**
 * The portal's site-data form in headless Chromium, against a real cloud-sync: an operator signs in, fills in
 * a lot's site data, gets the server's own error for opening hours it cannot parse (and nothing is stored),
 * corrects them, saves, and the public feeds then carry what was typed. A token the server refuses brings the
 * sign-in form back.
 */
class SiteFormBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static String set(String id, String value) {
        return "document.querySelector('#" + id + "').value = " + Json.mapper().valueToTree(value) + ";";
    }

    @Test
    void anOperatorEditsSiteDataSeesTheServersOpeningHoursErrorAndTheFeedsCarryTheSavedData() throws Exception {
        assumeTrue(Chromium.available() || "true".equals(System.getenv("CI")),
                "skipped: chromium is not installed (set CI=true to make this a failure)");
        try (OpenDataFixture f = OpenDataFixture.start(OpenDataSettings.defaults())) {
            f.createOperator("olga", "olga-password-1", "op-a", "A");
            f.report("A", "L1", 120, 70, "OPEN", Map.of());
            String badHours = "Mo-Fr 07:00-25:00";
            // What the server says about those hours, asked directly: the page must show this text.
            String olga = f.login("olga", "olga-password-1");
            TestHttp.Response direct = f.put("/api/v1/lots/A/open-data", olga, """
                    {"published":true,"name":"x","lat":51,"lon":13,"timeZone":"Europe/Berlin","openingHours":"%s"}"""
                    .formatted(badHours));
            assertThat(direct.status(), is(400));
            String serverMessage = direct.body().get("message").asText();

            try (Chromium browser = Chromium.start()) {
                browser.navigate(f.url("/portal/site.html?lot=A"));
                // A token the server refuses (expired, revoked, or not one it issued) in the tab: the page shows
                // the sign-in form, says why, and forgets the token.
                browser.eval("sessionStorage.setItem('token', 'not-a-token'); true");
                browser.navigate(f.url("/portal/site.html?lot=A"));
                browser.waitFor("!document.querySelector('#login-view').hidden && document.querySelector('#message')"
                        + ".textContent === 'Your session ended; sign in again.'", WAIT);
                assertThat(browser.eval("document.querySelector('#site-editor').hidden"
                        + " && sessionStorage.getItem('token') === null").asBoolean(), is(true));
                browser.eval(set("username", "olga") + set("password", "olga-password-1")
                        + "document.querySelector('#login-button').click(); true");
                browser.waitFor("!document.querySelector('#site-editor').hidden"
                        + " && document.querySelector('#site-lot').value === 'A'"
                        + " && document.querySelector('#site-version').textContent === 'not saved yet'", WAIT);

                browser.eval("document.querySelector('#site-published').checked = true;"
                        + set("site-name", "Altmarkt-Galerie") + set("site-address", "Webergasse 1, 01067 Dresden")
                        + set("site-lat", "51.0493") + set("site-lon", "13.7367") + set("site-timeZone", "Europe/Berlin")
                        + set("site-openingHours", badHours) + set("site-feeSummary", "2.50 EUR per hour")
                        + set("site-heightLimitCm", "210") + set("site-space-EV", "6") + set("site-space-DISABLED", "4")
                        + "document.querySelector('#site-save').click(); true");
                browser.waitFor("document.querySelector('#message').className === 'error'", WAIT);
                assertThat(browser.text("document.querySelector('#message').textContent"), is(serverMessage));
                assertThat("nothing stored", Jdbc.read(f.app.dataSource(), c -> Jdbc.query(c,
                        "SELECT count(*) FROM open_data_sites WHERE lot_id = 'A'", rs -> rs.getInt(1))).getFirst(),
                        is(0));

                browser.eval(set("site-openingHours", "Mo-Sa 07:00-22:00; Su,PH off")
                        + "document.querySelector('#site-save').click(); true");
                browser.waitFor("document.querySelector('#message').textContent.startsWith('Saved lot A')", WAIT);
                assertThat(browser.text("document.querySelector('#site-version').textContent"), is("version 1"));
            }

            JsonNode lot = f.get("/open-data/v1/lots/A").body();
            assertThat(lot.get("name").asText(), is("Altmarkt-Galerie"));
            assertThat(lot.get("address").asText(), is("Webergasse 1, 01067 Dresden"));
            assertThat(lot.get("openingHours").asText(), is("Mo-Sa 07:00-22:00; Su,PH off"));
            assertThat(lot.get("heightLimitCm").asInt(), is(210));
            assertThat(lot.get("spaces").get("EV").asInt(), is(6));
            assertThat(lot.get("lat").asDouble(), is(51.0493));
            JsonNode parkApi = f.get("/open-data/v1/parkapi/v3/parking-sites").body().get("items").get(0);
            assertThat(parkApi.get("name").asText(), is("Altmarkt-Galerie"));
            assertThat(parkApi.get("max_height").asInt(), is(210));
            assertThat(parkApi.get("capacity_charging").asInt(), is(6));
            assertThat(parkApi.get("fee_description").asText(), is("2.50 EUR per hour"));
            assertThat(parkApi.get("opening_hours").asText(), is("Mo-Sa 07:00-22:00; Su,PH off"));
        }
    }
}
