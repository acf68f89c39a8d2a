package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Verification refuses every token that is not an unexpired ES256 token of this issuer, audience and key. */
class TokenServiceTest {
    private static final Instant NOW = Instant.parse("2026-03-02T08:00:00Z");
    private final ECKey key = TokenService.generate();
    private final AuthSettings settings = AuthSettings.defaults();
    private final TokenService tokens = new TokenService(key, settings, Clock.fixed(NOW, ZoneOffset.UTC));

    private TokenService at(Instant when, AuthSettings s) {
        return new TokenService(key, s, Clock.fixed(when, ZoneOffset.UTC));
    }

    private static AuthSettings settings(String issuer, String audience) {
        AuthSettings d = AuthSettings.defaults();
        return new AuthSettings(issuer, audience, d.tokenTtl(), d.clockSkew(), "", "admin", "", 5, 20, 20, 100, 65_536,
                List.of());
    }

    @Test
    void aFreshTokenCarriesItsClaims() {
        TokenService.Claims c = tokens.verify(tokens.issue("ana", Role.OPERATOR, "op-a").token());
        assertThat(c.subject(), is("ana"));
        assertThat(c.role(), is(Role.OPERATOR));
        assertThat(c.operatorId(), is("op-a"));
        assertThat(tokens.verify(tokens.issue("root", Role.ADMIN, null).token()).operatorId(), is(nullValue()));
    }

    @Test
    void theIssueTimeIsKeptToTheMillisecondAndWithoutItCountsAsTheEndOfTheSecond() throws Exception {
        Instant when = NOW.plusMillis(734);
        assertThat(tokens.verify(at(when, settings).issue("ana", Role.VIEWER, null).token()).issuedAt(), is(when));
        // A token with only iat (whole seconds) is taken as issued at the end of that second, so a
        // revocation cut-off within that second covers it.
        SignedJWT old = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                claims().issueTime(Date.from(NOW)).build());
        old.sign(new com.nimbusds.jose.crypto.ECDSASigner(key));
        assertThat(tokens.verify(old.serialize()).issuedAt(), is(NOW.plusMillis(999)));
    }

    @Test
    void aTokenVerifiedOnceIsStillRefusedOnceItHasExpired() {
        Instant[] now = {NOW};
        Clock moving = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        TokenService cached = new TokenService(key, settings, moving);
        String token = cached.issue("ana", Role.VIEWER, null).token();
        assertThat(cached.verify(token).subject(), is("ana"));
        assertThat(cached.verify(token).subject(), is("ana"));

        now[0] = NOW.plus(settings.tokenTtl()).plus(settings.clockSkew()).plusSeconds(1);
        TokenService.InvalidTokenException e = assertThrows(
                TokenService.InvalidTokenException.class, () -> cached.verify(token));
        assertThat(e.getMessage(), is("token expired"));
    }

    @Test
    void expiredTokensAreRefusedBeyondTheClockSkew() {
        String token = at(NOW.minus(Duration.ofMinutes(15)).minusSeconds(31), settings).issue("ana", Role.VIEWER, null)
                .token();
        refused(token, "token expired");
        // Within the 30 s skew it still passes.
        String almost = at(NOW.minus(Duration.ofMinutes(15)).minusSeconds(20), settings).issue("ana", Role.VIEWER, null)
                .token();
        assertThat(tokens.verify(almost).subject(), is("ana"));
    }

    @Test
    void tokensFromTheFutureAreRefused() {
        refused(at(NOW.plusSeconds(120), settings).issue("ana", Role.VIEWER, null).token(), "token not valid yet");
    }

    @Test
    void wrongAudienceAndWrongIssuerAreRefused() {
        refused(at(NOW, settings("openparking-cloud", "someone-else")).issue("ana", Role.ADMIN, null).token(),
                "wrong audience");
        refused(at(NOW, settings("evil-issuer", "openparking-api")).issue("ana", Role.ADMIN, null).token(),
                "wrong issuer");
    }

    @Test
    void algNoneIsRefused() {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                .toString();
        String payload = tokens.issue("ana", Role.ADMIN, null).token().split("\\.")[1];
        refused(header + "." + payload + ".", "malformed token");
    }

    @Test
    void hs256SignedWithThePublicKeyIsRefused() throws Exception {
        // The classic algorithm-switching attack: HMAC keyed with the (public) verification key.
        byte[] secret = key.toECPublicKey().getEncoded();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                claims().build());
        forged.sign(new MACSigner(secret));
        refused(forged.serialize(), "only ES256 tokens are accepted");
    }

    @Test
    void tamperedClaimsAndForeignKeysAreRefused() {
        String[] parts = tokens.issue("ana", Role.VIEWER, null).token().split("\\.");
        String adminClaims = Base64URL.encode(new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
                .replace("\"viewer\"", "\"admin\"")).toString();
        refused(parts[0] + "." + adminClaims + "." + parts[2], "bad signature");
        TokenService other = new TokenService(TokenService.generate(), settings, Clock.fixed(NOW, ZoneOffset.UTC));
        refused(other.issue("ana", Role.ADMIN, null).token(), "bad signature");
        refused("not-a-token", "malformed token");
    }

    @Test
    void theJwkSetHasNoPrivatePart() {
        @SuppressWarnings("unchecked")
        List<java.util.Map<String, Object>> keys = (List<java.util.Map<String, Object>>) tokens.jwks().get("keys");
        assertThat(keys.size(), is(1));
        assertThat(keys.getFirst().containsKey("d"), is(false));
        assertThat(keys.getFirst().get("crv"), is("P-256"));
        assertThat(tokens.publicJwk().contains("\"d\""), is(false));
    }

    private JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(settings.issuer()).audience(settings.audience()).subject("mallory")
                .expirationTime(Date.from(NOW.plusSeconds(600))).claim("roles", List.of("admin"));
    }

    private void refused(String token, String why) {
        TokenService.InvalidTokenException e = assertThrows(TokenService.InvalidTokenException.class,
                () -> tokens.verify(token));
        assertThat(e.getMessage(), is(why));
    }
}
