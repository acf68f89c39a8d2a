package org.openparking.cloud.opendata;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.testing.TestHttp;

/**
 * Publishing is an operator's act on its own lots: judged by the database, an operator of tenant B cannot
 * publish (or unpublish) tenant A's lot, every change is in the audit log under the caller's name, bad site data
 * is refused naming the field, and the public API is limited per client address.
 */
class OpenDataAdminTest {
    private static final String SITE = """
            {"published":%s,"name":"Altmarkt","lat":51.05,"lon":13.74,"timeZone":"Europe/Berlin",
             "openingHours":"Mo-Sa 07:00-22:00; Su,PH off","spaces":{"DISABLED":4}}""";
    private static OpenDataFixture f;

    @BeforeAll
    static void start() throws Exception {
        // Three public requests per address at once, then one every 100 s: the limit is reached by the test alone.
        f = OpenDataFixture.start(OpenDataSettings.defaults().withLimit(0.01, 3));
        f.createOperator("olga", "olga-password-1", "op-a", "A");
        f.createOperator("bob", "bob-password-1", "op-b", "B");
    }

    @AfterAll
    static void stop() throws Exception {
        f.close();
    }

    private static List<String> audit(String lot) throws Exception {
        return Jdbc.read(f.app.dataSource(), c -> Jdbc.query(c,
                "SELECT actor || ':' || action FROM audit_log WHERE lot_id = ? AND action LIKE 'open-data.%' ORDER BY id", rs -> rs.getString(1),
                lot));
    }

    private static List<Boolean> published(String lot) throws Exception {
        return Jdbc.read(f.app.dataSource(), c -> Jdbc.query(c,
                "SELECT published FROM open_data_sites WHERE lot_id = ?", rs -> rs.getBoolean(1), lot));
    }

    @Test
    void anOperatorOfAnotherTenantCannotPublishOrUnpublishALot() throws Exception {
        String olga = f.login("olga", "olga-password-1");
        String bob = f.login("bob", "bob-password-1");
        assertThat(f.put("/api/v1/lots/A/open-data", olga, SITE.formatted(true)).status(), is(200));

        TestHttp.Response attack = f.put("/api/v1/lots/A/open-data", bob, SITE.formatted(false));
        assertThat("as for a lot that does not exist", attack.status(), is(404));
        assertThat(published("A"), is(List.of(true)));
        assertThat(f.http.get(f.url("/api/v1/lots/A/open-data"), "Authorization", "Bearer " + bob).status(),
                is(404));
        assertThat(f.put("/api/v1/lots/A/open-data", null, SITE.formatted(false)).status(), is(401));
        assertThat(published("A"), is(List.of(true)));

        assertThat(f.put("/api/v1/lots/B/open-data", bob, SITE.formatted(true)).status(), is(200));
        assertThat(f.put("/api/v1/lots/A/open-data", olga, SITE.formatted(false)).status(), is(200));
        assertThat(published("A"), is(List.of(false)));
        assertThat(audit("A"), is(List.of("olga:open-data.update", "olga:open-data.update")));
        assertThat(audit("B"), is(List.of("bob:open-data.update")));
        TestHttp.Response stored = f.http.get(f.url("/api/v1/lots/A/open-data"), "Authorization", "Bearer " + olga);
        assertThat(stored.body().get("version").asInt(), is(2));
        assertThat(stored.body().at("/site/openingHours").asText(), is("Mo-Sa 07:00-22:00; Su,PH off"));
    }

    @Test
    void badSiteDataIsRefusedNamingTheFieldAndNothingIsStored() throws Exception {
        String olga = f.login("olga", "olga-password-1");
        String good = SITE.formatted(true);
        record Case(String body, String field) {
        }
        for (Case c : List.of(
                new Case(good.replace("Mo-Sa 07:00-22:00; Su,PH off", "Mo-Fr 08:00-18:00; Jan off"), "openingHours"),
                new Case(good.replace("\"lat\":51.05", "\"lat\":200"), "lat"),
                new Case(good.replace("Europe/Berlin", "Mars/Olympus"), "timeZone"),
                new Case(good.replace("\"DISABLED\":4", "\"DISABLED\":-4"), "spaces.DISABLED"),
                new Case(good.replace("\"DISABLED\":4", "\"SUBMARINE\":4"), "spaces"),
                new Case(good.replace("\"published\":true,", ""), "published"),
                new Case(good.replace("\"name\":\"Altmarkt\"", "\"name\":\"\""), "name"))) {
            TestHttp.Response r = f.put("/api/v1/lots/A/open-data", olga, c.body());
            assertThat(c.body(), r.status(), is(400));
            assertThat(r.text(), r.body().get("message").asText(), containsString(c.field()));
        }
        int before = audit("A").size();
        assertThat(f.put("/api/v1/lots/A/open-data", olga, "{\"published\":").status(), is(400));
        assertThat(audit("A").size(), is(before));
    }

    @Test
    void aPartnerEndpointMustBeHttpsOutsideTheDeploymentsOwnNetwork() throws Exception {
        String olga = f.login("olga", "olga-password-1");
        String body = "{\"partnerId\":\"%s\",\"url\":\"%s\",\"lots\":[\"A\"]}";
        int n = 0;
        for (String url : List.of("http://partner.example/hooks", "http://127.0.0.1:9/hooks", "https://127.0.0.1/hooks",
                "https://localhost/hooks", "https://10.1.2.3/hooks", "https://192.168.0.10/hooks",
                "https://169.254.169.254/latest", "https://[::1]/hooks", "https://user:pw@partner.example/hooks",
                "not a url")) {
            TestHttp.Response r = f.http.post(f.url("/api/v1/partners"), body.formatted("p" + n++, url),
                    "Authorization", "Bearer " + olga);
            assertThat(url, r.status(), is(400));
            assertThat(url, r.body().get("message").asText(), containsString("url"));
        }
        assertThat(Jdbc.read(f.app.dataSource(), c -> Jdbc.query(c, "SELECT count(*) FROM partners",
                rs -> rs.getInt(1))), is(List.of(0)));
        TestHttp.Response ok = f.http.post(f.url("/api/v1/partners"), body.formatted("city",
                "https://partner.example/hooks"), "Authorization", "Bearer " + olga);
        assertThat(ok.status(), is(201));
        assertThat(ok.body().get("secret").asText().startsWith("whsec_"), is(true));
    }

    @Test
    void thePublicApiIsLimitedPerClientAddress() throws Exception {
        // No trusted proxy is configured, so a forged X-Forwarded-For does not buy a fresh bucket: every request
        // counts against the connecting address, and the fourth is refused at the latest.
        TestHttp.Response r = null;
        int answered = 0;
        for (int i = 0; i < 10; i++) {
            r = f.get("/open-data/v1/lots", "X-Forwarded-For", "203.0.113." + i);
            if (r.status() == 429) {
                break;
            }
            answered++;
        }
        assertThat(r.status(), is(429));
        assertThat(answered <= 3, is(true));
        assertThat(r.error(), is("RATE_LIMITED"));
        assertThat(Integer.parseInt(r.header("Retry-After")) > 0, is(true));
        assertThat("CORS also on a refusal, so a browser can read it", r.header("Access-Control-Allow-Origin"),
                is("*"));
        assertThat(f.get("/open-data/v1/datex2/parking-light").status(), is(429));
        // The operators' API has its own limit per token and is not affected.
        String olga = f.login("olga", "olga-password-1");
        assertThat(f.http.get(f.url("/api/v1/lots"), "Authorization", "Bearer " + olga).status(), is(200));
    }
}
