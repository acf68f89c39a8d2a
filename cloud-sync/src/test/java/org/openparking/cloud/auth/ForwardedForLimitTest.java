package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.openparking.testing.TestHttp;

/**
 * The login limit keys on the client address: X-Forwarded-For counts only from a trusted proxy
 * (here the loopback address the test connects from), and never when none is configured. One address
 * is also limited across all the usernames it tries.
 */
class ForwardedForLimitTest {
    private static final String BAD = "{\"username\":\"%s\",\"password\":\"wrong-password-xx\"}";
    private static final String GOOD = "{\"username\":\"rightful\",\"password\":\"rightful-password\"}";

    @Test
    void withoutTrustedProxiesAForgedHeaderDoesNotEscapeTheLimit() throws Exception {
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults())) {
            g.createUser("spoofer", "spoofer-password", Role.VIEWER, null);
            for (int i = 1; i <= 5; i++) {
                assertThat(login(g, "spoofer", "198.51.100." + i), is(401));
            }
            // A new forged address each time: still the one bucket of the real connection.
            assertThat(login(g, "spoofer", "198.51.100.77"), is(429));
            assertThat(login(g, "spoofer", null), is(429));
        }
    }

    @Test
    void behindATrustedProxyEachClientHasItsOwnBucket() throws Exception {
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults()
                .withTrustedProxies(List.of("127.0.0.1", "::1")))) {
            g.createUser("shared", "shared-password", Role.VIEWER, null);
            for (int i = 0; i < 5; i++) {
                assertThat(login(g, "shared", "203.0.113.7"), is(401));
            }
            assertThat(login(g, "shared", "203.0.113.7"), is(429));
            // What the client prepends itself does not change its bucket: the proxy appended the real one.
            assertThat(login(g, "shared", "192.0.2.99, 203.0.113.7"), is(429));
            // Another client behind the same proxy is not limited by the first one's failures.
            assertThat(login(g, "shared", "203.0.113.8"), is(401));
        }
    }

    @Test
    void oneAddressIsLimitedAcrossUsernames() throws Exception {
        // 5 a minute per address (the shipped 20 refills a token every 3 s, which 20 BCrypt checks on a loaded
        // machine can outlast; one every 12 s cannot be reached by the 7 requests below), behind a trusted
        // proxy so that the test can be several clients.
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults().withLoginPerAddressPerMinute(5)
                .withTrustedProxies(List.of("127.0.0.1", "::1")))) {
            g.createUser("rightful", "rightful-password", Role.VIEWER, null);
            for (int i = 0; i < 5; i++) {
                TestHttp.Response r = attempt(g, BAD.formatted("guess-" + i), "203.0.113.30");
                assertThat(r.text(), r.status(), is(401));
            }
            // A username this address never tried: refused all the same, as JSON.
            TestHttp.Response refused = attempt(g, BAD.formatted("guess-5"), "203.0.113.30");
            assertThat(refused.text(), refused.status(), is(429));
            assertThat(refused.text(), refused.error(), is("RATE_LIMITED"));
            assertThat(refused.headers().firstValue("Retry-After").isPresent(), is(true));
            // Even the right password: the address is refused before any password is checked.
            assertThat(attempt(g, GOOD, "203.0.113.30").status(), is(429));
            // Another address is not limited by the first one's guesses.
            assertThat(attempt(g, BAD.formatted("guess-0"), "203.0.113.31").status(), is(401));
            TestHttp.Response ok = attempt(g, GOOD, "203.0.113.32");
            assertThat(ok.text(), ok.status(), is(200));
            assertThat(ok.body().path("username").asText(), is("rightful"));
        }
    }

    private static int login(GatewayFixture g, String user, String forwardedFor) {
        return attempt(g, BAD.formatted(user), forwardedFor).status();
    }

    private static TestHttp.Response attempt(GatewayFixture g, String body, String forwardedFor) {
        String[] headers = forwardedFor == null ? new String[0] : new String[] {"X-Forwarded-For", forwardedFor};
        return g.http().post(g.baseUrl() + "/api/v1/auth/login", body, headers);
    }
}
