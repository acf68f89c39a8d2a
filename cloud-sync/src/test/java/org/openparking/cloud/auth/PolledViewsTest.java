package org.openparking.cloud.auth;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.Events;
import org.openparking.testing.TestHttp;

/**
 * The polled views answered from memory: an ETag that a repeated poll gets 304 for, a new answer as soon as a
 * change is committed, and a tenant's view never holding another tenant's lot even when the platform's view of
 * the same endpoint is cached.
 */
class PolledViewsTest {
    private static GatewayFixture g;
    private static String platform;
    private static String tenant;
    private static final Events A = new Events("view-a", "L1");
    private static final Events B = new Events("view-b", "L1");

    @BeforeAll
    static void start() throws Exception {
        g = GatewayFixture.start(AuthSettings.defaults());
        g.publishFromEdge(A.next(Events.availability(10, 1)));
        g.publishFromEdge(B.next(Events.availability(20, 1)));
        g.awaitApplied(2);
        g.assignLot("op-view", "view-a");
        platform = g.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
        tenant = g.app.gateway().tokens().issue("tina", Role.VIEWER, "op-view").token();
    }

    @AfterAll
    static void stop() throws Exception {
        if (g != null) {
            g.close();
        }
    }

    private static TestHttp.Response get(String path, String token, String etag) {
        return etag == null
                ? g.http().get(g.baseUrl() + path, "Authorization", "Bearer " + token)
                : g.http().get(g.baseUrl() + path, "Authorization", "Bearer " + token, "If-None-Match", etag);
    }

    @Test
    void aRepeatedPollIsNotModifiedUntilAChangeIsCommitted() throws Exception {
        TestHttp.Response first = get("/api/v1/lots/view-a/levels", platform, null);
        assertThat(first.text(), first.status(), is(200));
        String etag = first.header("ETag");
        assertThat(etag, notNullValue());
        assertThat(first.body().get(0).get("occupied").asInt(), is(10));

        assertThat(get("/api/v1/lots/view-a/levels", platform, etag).status(), is(304));

        g.publishFromEdge(A.next(Events.availability(11, 2)));
        g.awaitApplied(3);
        // This instance committed it: the very next poll renders afresh.
        TestHttp.Response changed = get("/api/v1/lots/view-a/levels", platform, etag);
        assertThat(changed.text(), changed.status(), is(200));
        assertThat(changed.header("ETag"), not(etag));
        assertThat(changed.body().get(0).get("occupied").asInt(), is(11));
    }

    @Test
    void aTenantsViewOfTheLotsHoldsOnlyItsLotsWhateverThePlatformsViewHolds() {
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/v1/lots", platform, null).body().size() == 2);
        TestHttp.Response mine = get("/api/v1/lots", tenant, null);
        assertThat(mine.text(), mine.status(), is(200));
        assertThat(GatewayFixture.field(mine.body(), "lotId"), contains("view-a"));
        // A platform ETag is no use to the tenant: it names another view.
        String platformTag = get("/api/v1/lots", platform, null).header("ETag");
        assertThat(get("/api/v1/lots", tenant, platformTag).status(), is(200));
    }

    @Test
    void anUnknownLotIsStillA404() {
        TestHttp.Response missing = get("/api/v1/lots/nowhere/levels", platform, null);
        assertThat(missing.text(), missing.status(), is(404));
        assertThat(missing.error(), is("LOT_NOT_FOUND"));
    }
}
