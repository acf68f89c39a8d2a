package org.openparking.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openparking.platform.jdbc.Database;

/**
 * Verifies operator tokens (ES256 JWTs issued by cloud-sync) with the public key the cloud pushed to this
 * edge, so a technician's token works at the level while the cloud is unreachable. Keys are kept in
 * SQLite, the only copy (read on every check: admin calls are rare), so they survive restarts and a rolled
 * back push changes nothing. Only ES256 is accepted: {@code alg: none} and algorithm switching fail.
 *
 * <p>Rotation replaces: trusting a key retires every other one, so tokens signed with the old key are refused
 * at once, as the cloud (which verifies with its current key only) refuses them. There is no overlap window.
 * A retired or revoked key is never trusted again, so a push replayed out of order cannot bring it back.
 */
public final class OperatorTokens {
    private static final Duration SKEW = Duration.ofSeconds(30);

    private final Database db;
    private final Clock clock;
    private final String issuer;
    private final String audience;

    public OperatorTokens(Database db, Clock clock, String issuer, String audience) {
        this.db = db;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
    }

    /**
     * A verified operator; {@code operatorId} null for a platform user (a token without an {@code operator}
     * claim), who may act on every lot as in the cloud; {@code expiresAt} the token's {@code exp} (a live stream
     * opened with it ends then).
     */
    public record Operator(String subject, List<String> roles, String operatorId, Instant expiresAt) {
        private static final List<String> RANKS = List.of("viewer", "operator", "admin");

        /** Holds {@code role} or a stronger one (viewer, operator, admin: as cloud-sync's roles). */
        public boolean has(String role) {
            int required = RANKS.indexOf(role);
            return roles.contains(role) || roles.stream().anyMatch(r -> required >= 0 && RANKS.indexOf(r) >= required);
        }

        public boolean platform() {
            return operatorId == null;
        }
    }

    /** A key as the edge holds it; {@code retiredAt} null while trusted. */
    public record TrustedKey(String kid, String receivedAt, String retiredAt) {
    }

    /**
     * Stores a pushed key (inside the caller's transaction) and trusts it alone from now on: every other key
     * is retired.
     *
     * @throws IllegalArgumentException when it is not an EC key, or was retired or revoked before
     */
    public void trust(Connection c, String jwkJson) throws SQLException {
        ECKey key = parse(jwkJson);
        String kid = kid(key);
        String now = clock.instant().toString();
        try (PreparedStatement ps = c.prepareStatement("SELECT retired_at FROM operator_keys WHERE kid = ?")) {
            ps.setString(1, kid);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getString(1) != null) {
                    throw new IllegalArgumentException("operator key " + kid + " was retired at " + rs.getString(1)
                            + " and is never trusted again");
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO operator_keys (kid, jwk, received_at) VALUES (?, ?, ?)
                ON CONFLICT (kid) DO UPDATE SET jwk = excluded.jwk, received_at = excluded.received_at""")) {
            ps.setString(1, kid);
            ps.setString(2, key.toPublicJWK().toJSONString());
            ps.setString(3, now);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE operator_keys SET retired_at = ? WHERE kid <> ? AND retired_at IS NULL")) {
            ps.setString(1, now);
            ps.setString(2, kid);
            ps.executeUpdate();
        }
    }

    /** Refuses tokens of key {@code kid} from now on; false when no such key is trusted. */
    public boolean revoke(String kid) {
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE operator_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL")) {
                ps.setString(1, clock.instant().toString());
                ps.setString(2, kid);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Every key the edge was sent, the trusted one(s) first. */
    public List<TrustedKey> keys() {
        return db.read(c -> {
            List<TrustedKey> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT kid, received_at, retired_at FROM operator_keys"
                    + " ORDER BY retired_at IS NOT NULL, received_at DESC");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new TrustedKey(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return result;
        });
    }

    public boolean hasKeys() {
        return !trusted().isEmpty();
    }

    private Map<String, ECKey> trusted() {
        return db.read(c -> {
            Map<String, ECKey> result = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT kid, jwk FROM operator_keys WHERE retired_at IS NULL");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.put(rs.getString(1), parse(rs.getString(2)));
                }
            }
            return result;
        });
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
        Map<String, ECKey> keys = trusted();
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
            String operator = claims.getStringClaim("operator");
            return new Operator(claims.getSubject(), roles == null ? List.of() : List.copyOf(roles),
                    operator == null || operator.isBlank() ? null : operator, exp.toInstant());
        } catch (ParseException e) {
            throw new TokenException("token claims are malformed");
        }
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
