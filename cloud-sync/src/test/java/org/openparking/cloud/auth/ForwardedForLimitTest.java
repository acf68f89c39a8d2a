package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The login limit keys on the client address: X-Forwarded-For counts only from a trusted proxy
 * (here the loopback address the test connects from), and never when none is configured.
 */
class ForwardedForLimitTest {
    private static final String BAD = "{\"username\":\"%s\",\"password\":\"wrong-password-xx\"}";

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

    private static int login(GatewayFixture g, String user, String forwardedFor) {
        String[] headers = forwardedFor == null ? new String[0] : new String[] {"X-Forwarded-For", forwardedFor};
        return g.http().post(g.baseUrl() + "/api/v1/auth/login", BAD.formatted(user), headers).status();
    }
}
