package org.openparking.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openparking.platform.jdbc.Database;

/**
 * Verifies operator tokens (ES256 JWTs issued by cloud-sync) with public keys the cloud pushed to this
 * edge, so a technician's token works at the level while the cloud is unreachable. Keys are kept in
 * SQLite and survive restarts. Only ES256 is accepted: {@code alg: none} and algorithm switching fail.
 */
public final class OperatorTokens {
    private static final Duration SKEW = Duration.ofSeconds(30);

    private final Database db;
    private final Clock clock;
    private final String issuer;
    private final String audience;
    private final Map<String, ECKey> keys = new ConcurrentHashMap<>();

    public OperatorTokens(Database db, Clock clock, String issuer, String audience) {
        this.db = db;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
        db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT jwk FROM operator_keys");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    remember(parse(rs.getString(1)));
                }
            }
            return null;
        });
    }

    /** A verified operator. */
    public record Operator(String subject, List<String> roles) {
        public boolean has(String role) {
            return roles.contains(role) || roles.contains("admin");
        }
    }

    /** Stores a pushed key (inside the caller's transaction) and trusts it from now on. */
    public void trust(java.sql.Connection c, String jwkJson) throws java.sql.SQLException {
        ECKey key = parse(jwkJson);
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO operator_keys (kid, jwk, received_at) VALUES (?, ?, ?)
                ON CONFLICT (kid) DO UPDATE SET jwk = excluded.jwk, received_at = excluded.received_at""")) {
            ps.setString(1, kid(key));
            ps.setString(2, key.toPublicJWK().toJSONString());
            ps.setString(3, clock.instant().toString());
            ps.executeUpdate();
        }
        remember(key);
    }

    public boolean hasKeys() {
        return !keys.isEmpty();
    }

    /** @throws TokenException naming why the token is refused */
    public Operator verify(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new TokenException("token is not a signed JWT");
        }
        if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
            throw new TokenException("only ES256 tokens are accepted");
        }
        List<ECKey> candidates = new ArrayList<>();
        String kid = jwt.getHeader().getKeyID();
        if (kid != null && keys.containsKey(kid)) {
            candidates.add(keys.get(kid));
        } else {
            candidates.addAll(keys.values());
        }
        boolean verified = false;
        for (ECKey key : candidates) {
            try {
                if (jwt.verify(new ECDSAVerifier(key.toECPublicKey()))) {
                    verified = true;
                    break;
                }
            } catch (JOSEException e) {
                // try the next key
            }
        }
        if (!verified) {
            throw new TokenException("token signature does not match a trusted operator key");
        }
        try {
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            Date exp = claims.getExpirationTime();
            if (exp == null || now.isAfter(exp.toInstant().plus(SKEW))) {
                throw new TokenException("token expired");
            }
            if (claims.getNotBeforeTime() != null && now.plus(SKEW).isBefore(claims.getNotBeforeTime().toInstant())) {
                throw new TokenException("token not valid yet");
            }
            if (issuer != null && !issuer.equals(claims.getIssuer())) {
                throw new TokenException("token issuer is not " + issuer);
            }
            if (audience != null && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
                throw new TokenException("token audience does not include " + audience);
            }
            List<String> roles = claims.getStringListClaim("roles");
            return new Operator(claims.getSubject(), roles == null ? List.of() : List.copyOf(roles));
        } catch (ParseException e) {
            throw new TokenException("token claims are malformed");
        }
    }

    private void remember(ECKey key) {
        keys.put(kid(key), key);
    }

    private static String kid(ECKey key) {
        try {
            return key.getKeyID() != null ? key.getKeyID() : key.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot compute the key's thumbprint", e);
        }
    }

    private static ECKey parse(String jwkJson) {
        try {
            JWK jwk = JWK.parse(jwkJson);
            if (!(jwk instanceof ECKey ec)) {
                throw new IllegalArgumentException("operator key must be an EC (P-256) key");
            }
            return ec.toPublicJWK();
        } catch (ParseException e) {
            throw new IllegalArgumentException("operator key is not a JWK: " + e.getMessage(), e);
        }
    }

    /** A refused token: 401. */
    public static final class TokenException extends RuntimeException {
        public TokenException(String message) {
            super(message);
        }
    }
}
