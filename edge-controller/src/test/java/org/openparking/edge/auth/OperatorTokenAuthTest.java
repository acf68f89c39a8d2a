package org.openparking.edge.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.TrustOperatorKey;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/** The edge's admin endpoints in token mode: operator JWTs verified offline with a key the cloud pushed. */
class OperatorTokenAuthTest {
    private static final String CLOSE = "{\"closed\":true,\"reason\":\"test\"}";
    private static final String LANE_TERMINAL_KEY = "lane-terminal-in-1-0f9d8c7b";
    private TestEdge edge;
    private ECKey cloudKey;

    @BeforeEach
    void start() throws Exception {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2), EdgeSettings.OccupancyMode.COUNTING,
                new EdgeSettings.Auth(EdgeSettings.Auth.Mode.TOKEN, "parking-cloud", "parking",
                        List.of(DeviceKeys.digestOf(LANE_TERMINAL_KEY))));
        cloudKey = new ECKeyGenerator(Curve.P_256).keyID("cloud-1").generate();
    }

    @AfterEach
    void stop() {
        edge.close();
    }

    private void pushKey() {
        edge.app().commands().apply(Envelope.of("lot-t.L0", "lot-t", "L0", 1, Instant.now(),
                new TrustOperatorKey(cloudKey.toPublicJWK().toJSONString())));
    }

    private String token(List<String> roles, Instant expires, String audience) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("parking-cloud").audience(audience)
                .subject("tech-anna").claim("roles", roles).expirationTime(Date.from(expires)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("cloud-1").build(), claims);
        jwt.sign(new ECDSASigner(cloudKey));
        return jwt.serialize();
    }

    private String valid(String... roles) throws Exception {
        return token(List.of(roles), Instant.now().plusSeconds(300), "parking");
    }

    @Test
    void withoutATokenOrBeforeTheKeyArrivedAdminIsRefused() throws Exception {
        assertThat(edge.post("/admin/level/status", CLOSE).status(), is(401));
        TestHttp.Response noKey = edge.post("/admin/level/status", CLOSE, valid("operator"));
        assertThat(noKey.status(), is(401));
        assertThat(noKey.body().get("message").asText(), containsString("operator key"));
        assertThat(edge.get("/availability").body().get("status").asText(), is("OPEN"));
    }

    @Test
    void anOperatorTokenWorksOfflineAndTheKeySurvivesARestart() throws Exception {
        pushKey();
        assertThat(edge.post("/admin/level/status", CLOSE, valid("operator")).status(), is(200));
        assertThat(edge.get("/availability").body().get("status").asText(), is("CLOSED"));
        edge.restart();
        assertThat(edge.post("/admin/level/status", "{\"closed\":false}", valid("admin")).status(), is(200));
    }

    @Test
    void laneTerminalsNeedTheirDeviceKeyAndOnlyReadsWithoutPlatesStayOpen() {
        assertThat(edge.post("/lanes/in-1/entries", "{}").status(), is(401));
        assertThat(edge.post("/lanes/in-1/entries", "{}", "X-Device-Key", "guessed-key").status(), is(401));
        assertThat(edge.post("/lanes/in-1/entries", "{}", "X-Device-Key", LANE_TERMINAL_KEY).status(), is(201));
        // Sessions carry plates: since issue 13 they need a credential in token mode (EdgeAccessTest).
        assertThat(edge.get("/sessions?status=OPEN", "X-Device-Key", LANE_TERMINAL_KEY).body().size(), is(1));
        assertThat(edge.get("/availability").status(), is(200));
    }

    @Test
    void badTokensAreRefusedAndChangeNothing() throws Exception {
        pushKey();
        assertThat(edge.post("/admin/level/status", CLOSE, valid("viewer")).status(), is(403));
        assertThat(edge.post("/admin/level/status", CLOSE,
                token(List.of("operator"), Instant.now().minusSeconds(120), "parking")).status(), is(401));
        assertThat(edge.post("/admin/level/status", CLOSE,
                token(List.of("operator"), Instant.now().plusSeconds(300), "other")).status(), is(401));
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("cloud-1").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("cloud-1").build(),
                new JWTClaimsSet.Builder().issuer("parking-cloud").audience("parking").claim("roles", List.of("admin"))
                        .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        forged.sign(new ECDSASigner(stranger));
        assertThat(edge.post("/admin/level/status", CLOSE, forged.serialize()).status(), is(401));
        String none = new PlainJWT(new JWTClaimsSet.Builder().issuer("parking-cloud").audience("parking")
                .claim("roles", List.of("admin")).expirationTime(Date.from(Instant.now().plusSeconds(300))).build())
                .serialize();
        assertThat(edge.post("/admin/level/status", CLOSE, none).status(), is(401));
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .issuer("parking-cloud").audience("parking").claim("roles", List.of("admin"))
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        hs.sign(new MACSigner(cloudKey.toPublicJWK().toJSONString().repeat(2).getBytes()));
        assertThat(edge.post("/admin/level/status", CLOSE, hs.serialize()).status(), is(401));
        assertThat(edge.get("/availability").body().get("status").asText(), is("OPEN"));
    }
}
