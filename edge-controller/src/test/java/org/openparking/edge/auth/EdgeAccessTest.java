package org.openparking.edge.auth;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.TrustOperatorKey;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * Token mode on an edge of operator {@code op-a}: tokens in the shape cloud-sync's TokenService issues (ES256,
 * {@code roles}, {@code operator} for a tenant's user, none for a platform user), signed with a key the test
 * pushes as the cloud does. Another tenant's token moves no barrier; a new key replaces the old one; a key can
 * be revoked by id; sessions (plates) need a credential.
 */
class EdgeAccessTest {
    private static final String OPEN = "{\"reason\":\"stuck ticket\"}";
    private static final String DEVICE = "pay-station-7e1d52";
    private final TestHttp http = TestHttp.create();
    private TestEdge edge;
    private int seq;

    @BeforeEach
    void start() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2), EdgeSettings.OccupancyMode.COUNTING,
                new EdgeSettings.Auth(EdgeSettings.Auth.Mode.TOKEN, "openparking-cloud", "openparking-api",
                        List.of(DeviceKeys.digestOf(DEVICE))).ownedBy("op-a"));
    }

    @AfterEach
    void stop() {
        http.close();
        edge.close();
    }

    private static ECKey newKey() throws Exception {
        return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
    }

    /** The cloud's key push, through the command path (inbox, receipt). */
    private boolean push(ECKey key) {
        return edge.app().commands().apply(Envelope.of("lot-t.L0", "lot-t", "L0", ++seq, Instant.now(),
                new TrustOperatorKey(key.toPublicJWK().toJSONString())));
    }

    private static String token(ECKey key, String role, String operator) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer("openparking-cloud").audience("openparking-api")
                .subject("user-of-" + operator).claim("roles", List.of(role))
                .expirationTime(Date.from(Instant.now().plusSeconds(300)));
        if (operator != null) {
            claims.claim("operator", operator);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                claims.build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    /** The barrier as SQLite has it: the level's truth, not only what the HTTP layer says. */
    private String storedBarrier(String laneId) {
        return edge.app().database().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT barrier FROM lanes WHERE lane_id = ?")) {
                ps.setString(1, laneId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    @Test
    void anotherTenantsOperatorMovesNoBarrierWhileThisLotsOperatorAndPlatformAdminsDo() throws Exception {
        ECKey cloud = newKey();
        push(cloud);
        TestHttp.Response tenantB = edge.post("/admin/lanes/out-1/open", OPEN, token(cloud, "operator", "op-b"));
        assertThat(tenantB.text(), tenantB.status(), is(403));
        assertThat(tenantB.body().get("error").asText(), is("FORBIDDEN"));
        assertThat(tenantB.body().get("message").asText(), containsString("operator does not own this lot"));
        TestHttp.Response tenantBAdmin = edge.post("/admin/level/status", "{\"closed\":true}",
                token(cloud, "admin", "op-b"));
        assertThat(tenantBAdmin.text(), tenantBAdmin.status(), is(403));
        assertThat(edge.barrier("out-1"), is("CLOSED"));
        assertThat(storedBarrier("out-1"), is("CLOSED"));
        assertThat(edge.get("/availability").body().get("status").asText(), is("OPEN"));

        TestHttp.Response tenantA = edge.post("/admin/lanes/out-1/open", OPEN, token(cloud, "operator", "op-a"));
        assertThat(tenantA.text(), tenantA.status(), is(200));
        await().atMost(Duration.ofSeconds(5)).until(() -> "OPEN".equals(storedBarrier("out-1")));

        TestHttp.Response platform = edge.post("/admin/level/status", "{\"closed\":true}",
                token(cloud, "admin", null));
        assertThat(platform.text(), platform.status(), is(200));
        assertThat(edge.get("/availability").body().get("status").asText(), is("CLOSED"));
    }

    @Test
    void anEdgeOwnedByNoOperatorAcceptsPlatformUsersOnly() throws Exception {
        edge.close();
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2), EdgeSettings.OccupancyMode.COUNTING,
                new EdgeSettings.Auth(EdgeSettings.Auth.Mode.TOKEN, "openparking-cloud", "openparking-api",
                        List.of()));
        ECKey cloud = newKey();
        push(cloud);
        TestHttp.Response tenant = edge.post("/admin/lanes/out-1/open", OPEN, token(cloud, "admin", "op-a"));
        assertThat(tenant.text(), tenant.status(), is(403));
        assertThat(tenant.body().get("message").asText(), containsString("edge.operator-id is not set"));
        assertThat(storedBarrier("out-1"), is("CLOSED"));
        assertThat(edge.post("/admin/lanes/out-1/open", OPEN, token(cloud, "operator", null)).status(), is(200));
    }

    @Test
    void aNewKeyReplacesTheOldOneAndAReplayedOldPushDoesNotBringItBack() throws Exception {
        ECKey first = newKey();
        ECKey second = newKey();
        push(first);
        String oldToken = token(first, "operator", "op-a");
        assertThat(edge.get("/admin/tariff", "Authorization", "Bearer " + oldToken).status(), is(200));

        push(second);
        TestHttp.Response old = edge.get("/admin/tariff", "Authorization", "Bearer " + oldToken);
        assertThat(old.text(), old.status(), is(401));
        assertThat(old.body().get("error").asText(), is("UNAUTHORIZED"));
        assertThat(edge.get("/admin/tariff", "Authorization", "Bearer " + token(second, "operator", "op-a")).status(),
                is(200));

        // The old key's push delivered again (a new command id, out of order): receipted as not applied.
        push(first);
        assertThat(edge.get("/admin/tariff", "Authorization", "Bearer " + oldToken).status(), is(401));
        edge.restart();
        assertThat("retirement survives a restart",
                edge.get("/admin/tariff", "Authorization", "Bearer " + oldToken).status(), is(401));
        assertThat(edge.get("/admin/tariff", "Authorization", "Bearer " + token(second, "operator", "op-a")).status(),
                is(200));
        TestHttp.Response keys = edge.get("/admin/operator-keys", "Authorization",
                "Bearer " + token(second, "viewer", "op-a"));
        assertThat("a viewer may not use the admin endpoints", keys.status(), is(403));
        keys = edge.get("/admin/operator-keys", "Authorization", "Bearer " + token(second, "operator", "op-a"));
        assertThat(keys.text(), keys.body().get(0).get("kid").asText(), is(second.getKeyID()));
        assertThat(keys.text(), keys.body().get(1).get("retiredAt").isNull(), is(false));
    }

    @Test
    void aKeyRevokedByIdShutsOutItsTokensAndOnlyAnAdminMayRevoke() throws Exception {
        ECKey cloud = newKey();
        push(cloud);
        String path = "/admin/operator-keys/" + cloud.getKeyID();
        TestHttp.Response byOperator = http.send("DELETE", edge.base() + path, null,
                "Authorization", "Bearer " + token(cloud, "operator", "op-a"));
        assertThat(byOperator.text(), byOperator.status(), is(403));
        TestHttp.Response unknown = http.send("DELETE", edge.base() + "/admin/operator-keys/nope", null,
                "Authorization", "Bearer " + token(cloud, "admin", "op-a"));
        assertThat(unknown.text(), unknown.status(), is(404));
        TestHttp.Response revoked = http.send("DELETE", edge.base() + path, null,
                "Authorization", "Bearer " + token(cloud, "admin", "op-a"));
        assertThat(revoked.text(), revoked.status(), is(200));
        TestHttp.Response after = edge.post("/admin/lanes/out-1/open", OPEN, token(cloud, "admin", null));
        assertThat(after.text(), after.status(), is(401));
        assertThat(storedBarrier("out-1"), is("CLOSED"));
        push(cloud);
        assertThat("a revoked key is never trusted again",
                edge.post("/admin/lanes/out-1/open", OPEN, token(cloud, "admin", null)).status(), is(401));
    }

    @Test
    void sessionsShowPlatesOnlyToADeviceOrThisLotsOperators() throws Exception {
        ECKey cloud = newKey();
        push(cloud);
        TestHttp.Response entry = edge.post("/lanes/in-1/entries", "{\"plate\":\"AB123CD\"}", "X-Device-Key", DEVICE);
        assertThat(entry.text(), entry.status(), is(201));
        String id = entry.body().get("sessionId").asText();

        TestHttp.Response anonymous = edge.get("/sessions");
        assertThat(anonymous.text(), anonymous.status(), is(401));
        assertThat(anonymous.body().get("error").asText(), is("UNAUTHORIZED"));
        assertThat(edge.get("/sessions/" + id).status(), is(401));
        assertThat(edge.get("/sessions", "X-Device-Key", "guessed").status(), is(401));
        assertThat(edge.get("/sessions/" + id, "Authorization", "Bearer " + token(cloud, "viewer", "op-b")).status(),
                is(403));

        TestHttp.Response device = edge.get("/sessions?status=OPEN", "X-Device-Key", DEVICE);
        assertThat(device.text(), device.body().get(0).get("plate").asText(), is("AB123CD"));
        assertThat(edge.get("/sessions/" + id, "Authorization", "Bearer " + token(cloud, "viewer", "op-a")).status(),
                is(200));
        assertThat(edge.get("/availability").status(), is(200));
    }

    @Test
    void onlyADeviceMayStampAValidation() {
        edge.app().commands().apply(Envelope.of("lot-t.L0", "lot-t", "L0", ++seq, java.time.Instant.now(),
                new org.openparking.protocol.UpdateDiscounts(1, List.of(new org.openparking.protocol.UpdateDiscounts
                        .Validator("cinema", "Cinema", "box-office", org.openparking.protocol.UpdateDiscounts.Kind
                        .REPLACE_PRICE, 0, 60)), List.of())));
        TestHttp.Response entry = edge.post("/lanes/in-1/entries", "{\"plate\":\"VAL9\"}", "X-Device-Key", DEVICE);
        assertThat(entry.text(), entry.status(), is(201));
        edge.pass("in-1"); // no barrier left waiting for its passage timeout after this test
        String body = "{\"ticket\":\"" + entry.body().get("ticket").asText() + "\",\"validatorId\":\"cinema\"}";

        TestHttp.Response anonymous = edge.post("/validations", body);
        assertThat(anonymous.text(), anonymous.status(), is(401));
        assertThat(anonymous.text().contains("V1."), is(false));
        assertThat(edge.post("/validations", body, "X-Device-Key", "guessed").status(), is(401));
        TestHttp.Response device = edge.post("/validations", body, "X-Device-Key", DEVICE);
        assertThat(device.text(), device.status(), is(201));
        assertThat(device.body().get("validation").asText().startsWith("V1."), is(true));
    }

    @Test
    void theSimulatorApiIsNotServedOutsideDevelopment() {
        TestHttp.Response r = edge.post("/simulator/lanes/in-1/arming", "{\"present\":true}");
        assertThat(r.text(), r.status(), is(404));
        assertThat(edge.app().hardware().simulator().isPresent(), is(true));
    }
}
