package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

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
        // The shipped default (20 a minute per address), behind a trusted proxy so that the test can be
        // several clients.
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults()
                .withTrustedProxies(List.of("127.0.0.1", "::1")))) {
            g.createUser("rightful", "rightful-password", Role.VIEWER, null);
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                TestHttp.Response r = attempt(g, BAD.formatted("guess-" + i), "203.0.113.30");
                assertThat(r.text(), r.status(), is(401));
            }
            // The bucket refills one attempt every 3 s: on a loaded machine the 20 guesses take long enough for
            // a few to come back. Those are allowed, counted from the time measured, not assumed away.
            TestHttp.Response refused = attempt(g, BAD.formatted("guess-20"), "203.0.113.30");
            int refilled = 0;
            while (refused.status() == 401) {
                refilled++;
                long allowed = (System.nanoTime() - started) / 3_000_000_000L + 1;
                assertThat("attempts beyond the 20 the limit refilled in the time taken", (long) refilled,
                        lessThanOrEqualTo(Math.min(allowed, 20)));
                refused = attempt(g, BAD.formatted("guess-" + (20 + refilled)), "203.0.113.30");
            }
            // A username this address never tried: refused all the same, as JSON.
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
