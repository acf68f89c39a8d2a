package org.openparking.cloud.auth;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class whose tests share one {@link GatewayFixture} (default auth settings) and a platform admin's token.
 * Static for JUnit's class lifecycle; each class has its own.
 */
abstract class SharedGatewayTest {
    static GatewayFixture g;
    static String platform;

    @BeforeAll
    static void startGateway() throws Exception {
        g = GatewayFixture.start(AuthSettings.defaults());
        platform = g.platformToken();
    }

    @AfterAll
    static void stopGateway() throws Exception {
        if (g != null) {
            g.close();
            g = null;
        }
    }
}
