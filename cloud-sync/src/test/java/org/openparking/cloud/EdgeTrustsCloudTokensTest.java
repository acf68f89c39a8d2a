package org.openparking.cloud;

import org.openparking.testing.TestHttp;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.nimbusds.jose.jwk.ECKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.Role;
import org.openparking.cloud.auth.TokenService;
import org.openparking.cloud.ingest.AfterCommitHook;

/**
 * Across the trust boundary, both sides on their defaults: cloud-sync (in-process, its default AuthSettings from
 * application.yaml, with a key file so the test can also sign) pushes its key to a real packaged edge controller
 * in token mode, whose issuer and audience come from the edge's own application.yaml, and the edge accepts an
 * operator token the cloud's TokenService issued. Tokens signed with the same key for another issuer or another
 * audience are refused, and so is the token of another operator than the one owning the edge's lot.
 */
class EdgeTrustsCloudTokensTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void anEdgeOnItsDefaultsAcceptsTheOperatorTokensTheCloudIssuesOnItsDefaults(@TempDir Path dir) throws Exception {
        EdgeProcess.requireBuilt();
        ECKey key = TokenService.generate();
        Path keyFile = dir.resolve("cloud-signing-key.jwk");
        Files.writeString(keyFile, key.toJSONString());
        AuthSettings defaults = AuthSettings.defaults();
        try (CloudFixture cloud = CloudFixture.start(withKeyFile(defaults, keyFile.toString()), AfterCommitHook.NONE);
             EdgeProcess edge = EdgeProcess.start(cloud.broker.uri(), "trust", "L0", 4, dir,
                     Map.of("AUTH_MODE", "token", "TICKETS_SECRET", "trust-lot-ticket-secret-0123",
                             "EDGE_OPERATOR_ID", "op-trust"))) {
            ApiClient admin = new ApiClient(cloud.baseUrl(), cloud.adminToken());
            String operator = cloud.app.gateway().tokens().issue("tech-anna", Role.OPERATOR, null).token();
            TestHttp.Response beforeKey = edge.get("/admin/tariff", operator);
            assertThat(beforeKey.text(), beforeKey.status(), is(401));

            edge.until("the cloud knowing the edge", WAIT,
                    () -> admin.get("/api/v1/edges?lot=trust").body().size() == 1);
            TestHttp.Response pushed = admin.post("/api/v1/auth/keys/push", "{}");
            assertThat(pushed.text(), pushed.status(), is(202));
            edge.until("the edge accepting the cloud's operator token", WAIT,
                    () -> edge.get("/admin/tariff", operator).status() == 200);

            // The edge belongs to operator op-trust: its tokens work, another tenant's move no barrier.
            String tenant = cloud.app.gateway().tokens().issue("tech-ben", Role.OPERATOR, "op-trust").token();
            String otherTenant = cloud.app.gateway().tokens().issue("boss-eve", Role.ADMIN, "op-other").token();
            assertThat(edge.get("/admin/tariff", tenant).status(), is(200));
            try (TestHttp http = TestHttp.create()) {
                TestHttp.Response refused = http.post(edge.api() + "/admin/lanes/out-1/open",
                        "{\"reason\":\"not my lot\"}", "Authorization", "Bearer " + otherTenant);
                assertThat(refused.text(), refused.status(), is(403));
                assertThat(refused.text(), refused.body().path("error").asText(), is("FORBIDDEN"));
            }
            assertThat(edge.lane("out-1").path("barrier").asText(), is("CLOSED"));

            TestHttp.Response otherIssuer = edge.get("/admin/tariff", signedWith(key,
                    new AuthSettings("another-issuer", defaults.audience(), defaults.tokenTtl(), defaults.clockSkew(),
                            "", "admin", "", 5, 20, 20, 100, 65_536, null)));
            assertThat(otherIssuer.text(), otherIssuer.status(), is(401));
            assertThat(otherIssuer.text(), containsString("issuer"));
            TestHttp.Response otherAudience = edge.get("/admin/tariff", signedWith(key,
                    new AuthSettings(defaults.issuer(), "another-api", defaults.tokenTtl(), defaults.clockSkew(),
                            "", "admin", "", 5, 20, 20, 100, 65_536, null)));
            assertThat(otherAudience.text(), otherAudience.status(), is(401));
            assertThat(otherAudience.text(), containsString("audience"));
        }
    }

    private static AuthSettings withKeyFile(AuthSettings d, String keyFile) {
        return new AuthSettings(d.issuer(), d.audience(), d.tokenTtl(), d.clockSkew(), keyFile, d.bootstrapAdminUser(),
                d.bootstrapAdminPassword(), d.loginPerMinute(), d.loginPerAddressPerMinute(), d.apiPerSecond(), d.apiBurst(), d.maxBodyBytes(),
                d.trustedProxies());
    }

    /** An operator token signed with the cloud's key, claiming {@code settings}' issuer and audience. */
    private static String signedWith(ECKey key, AuthSettings settings) {
        return new TokenService(key, settings, Clock.systemUTC()).issue("tech-anna", Role.OPERATOR, null).token();
    }
}
