package org.openparking.cloud.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Issues and verifies ES256 access tokens. Verification accepts only ES256 signed by this
 * service's key, so {@code alg: none} and algorithm switching (e.g. HS256 keyed with the public key)
 * are refused before any signature check.
 */
public final class TokenService {
    private static final Logger LOG = Logger.getLogger(TokenService.class.getName());

    private final ECKey key;
    private final ECDSAVerifier verifier;
    private final ECDSASigner signer;
    private final AuthSettings settings;
    private final Clock clock;
    // Tokens whose signature and claims were verified, until they expire: an ES256 verify costs far more than
    // the request it guards. Revocation is checked per request regardless (TokenRevocations).
    private final Map<String, Claims> verified = new ConcurrentHashMap<>();
    /** Past this many cached tokens the expired ones are dropped, and if that is not enough, all. */
    private static final int VERIFIED_MAX = 20_000;

    /**
     * What a valid token says. {@code issuedAt} is to the millisecond (claim {@value #ISSUED_AT_MS}) when
     * the token has it; {@code iat} alone has whole seconds, so such a token counts as issued at the
     * end of its second, which errs towards revoking it (see {@link TokenRevocations}).
     */
    public record Claims(String subject, Role role, String operatorId, String tokenId, Instant issuedAt,
                         Instant expiresAt) {
    }

    /** Private claim: the issue time in epoch milliseconds, for revocation cut-offs finer than a second. */
    static final String ISSUED_AT_MS = "iat_ms";

    /** A token and when it expires. */
    public record Issued(String token, Instant expiresAt) {
    }

    public TokenService(ECKey key, AuthSettings settings, Clock clock) {
        if (!Curve.P_256.equals(key.getCurve()) || !key.isPrivate()) {
            throw new IllegalArgumentException("the signing key must be an EC P-256 private key");
        }
        this.key = key;
        this.settings = settings;
        this.clock = clock;
        try {
            this.signer = new ECDSASigner(key);
            this.verifier = new ECDSAVerifier(key.toECPublicKey());
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable EC key", e);
        }
    }

    /** The key from {@code settings.keyFile()} (PEM or JWK), or a fresh one when none is configured. */
    public static ECKey loadOrGenerate(AuthSettings settings) {
        if (settings.keyFile() == null || settings.keyFile().isBlank()) {
            LOG.warning("auth.key-file not set: generated a signing key; tokens do not survive a restart");
            return generate();
        }
        try {
            String text = Files.readString(Path.of(settings.keyFile()));
            JWK jwk = text.trim().startsWith("{") ? JWK.parse(text) : JWK.parseFromPEMEncodedObjects(text);
            ECKey ec = jwk.toECKey();
            if (ec.getKeyID() == null) {
                ec = new ECKey.Builder(ec).keyID(ec.computeThumbprint().toString()).build();
            }
            return ec;
        } catch (IOException | ParseException | JOSEException | ClassCastException | IllegalStateException e) {
            throw new IllegalArgumentException("cannot read an EC P-256 key from auth.key-file "
                    + settings.keyFile() + ": " + e.getMessage(), e);
        }
    }

    public static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
                    .keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public Issued issue(String username, Role role, String operatorId) {
        Instant now = clock.instant();
        Instant exp = now.plus(settings.tokenTtl());
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(settings.issuer())
                .audience(settings.audience())
                .subject(username)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(exp))
                .jwtID(UUID.randomUUID().toString())
                .claim(ISSUED_AT_MS, now.toEpochMilli())
                .claim("roles", List.of(role.claim()));
        if (operatorId != null) {
            claims.claim("operator", operatorId);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign", e);
        }
        return new Issued(jwt.serialize(), exp);
    }

    /** The token's claims; throws {@link InvalidTokenException} for anything not fully valid. */
    public Claims verify(String token) {
        Claims known = verified.get(token);
        if (known != null) {
            if (clock.instant().isBefore(known.expiresAt().plus(settings.clockSkew()))) {
                return known;
            }
            verified.remove(token);
            throw new InvalidTokenException("token expired");
        }
        Claims claims = verifyFully(token);
        if (verified.size() >= VERIFIED_MAX) {
            Instant now = clock.instant();
            verified.values().removeIf(c -> !now.isBefore(c.expiresAt().plus(settings.clockSkew())));
            if (verified.size() >= VERIFIED_MAX) {
                verified.clear();
            }
        }
        verified.put(token, claims);
        return claims;
    }

    private Claims verifyFully(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new InvalidTokenException("malformed token");
        }
        if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
            throw new InvalidTokenException("only ES256 tokens are accepted");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new InvalidTokenException("bad signature");
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (!settings.issuer().equals(c.getIssuer())) {
                throw new InvalidTokenException("wrong issuer");
            }
            if (c.getAudience() == null || !c.getAudience().contains(settings.audience())) {
                throw new InvalidTokenException("wrong audience");
            }
            if (c.getExpirationTime() == null
                    || !now.isBefore(c.getExpirationTime().toInstant().plus(settings.clockSkew()))) {
                throw new InvalidTokenException("token expired");
            }
            if (c.getNotBeforeTime() != null
                    && now.plus(settings.clockSkew()).isBefore(c.getNotBeforeTime().toInstant())) {
                throw new InvalidTokenException("token not valid yet");
            }
            if (c.getSubject() == null || c.getSubject().isBlank()) {
                throw new InvalidTokenException("token has no subject");
            }
            List<String> roles = c.getStringListClaim("roles");
            if (roles == null || roles.size() != 1) {
                throw new InvalidTokenException("token must carry exactly one role");
            }
            return new Claims(c.getSubject(), Role.parse(roles.getFirst()), c.getStringClaim("operator"),
                    c.getJWTID() == null ? c.getSubject() : c.getJWTID(), issuedAt(c),
                    c.getExpirationTime().toInstant());
        } catch (JOSEException | ParseException | IllegalArgumentException e) {
            throw new InvalidTokenException("invalid token");
        }
    }

    /** The precise issue time if the token carries it, else the end of its {@code iat} second; null without either. */
    private static Instant issuedAt(JWTClaimsSet c) throws ParseException {
        Long millis = c.getLongClaim(ISSUED_AT_MS);
        if (millis != null) {
            return Instant.ofEpochMilli(millis);
        }
        return c.getIssueTime() == null ? null : c.getIssueTime().toInstant().plusMillis(999);
    }

    /** The public key as a JWK set (no private parts). */
    public Map<String, Object> jwks() {
        return new JWKSet(key.toPublicJWK()).toJSONObject(true);
    }

    /** The public key as one JWK JSON object, as edges get it in TrustOperatorKey. */
    public String publicJwk() {
        return key.toPublicJWK().toJSONString();
    }

    /** A token that fails verification, with a message safe to return. */
    public static final class InvalidTokenException extends RuntimeException {
        public InvalidTokenException(String message) {
            super(message);
        }
    }
}
