package org.openparking.cloud.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.live.ChangeFeed;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;

/**
 * Revoked tokens in PostgreSQL: one token by its {@code jti} (logout), or every token of a user
 * issued at or before a cut-off (an admin's revoke-all). The gateway asks {@link #isRevoked} on every
 * authenticated request. While the change feed is live the answer comes from memory: the tables are loaded
 * once per (re)connect and every revocation any instance commits is pushed on channel
 * {@code parking_revocations} (V110's triggers), so no request costs a lookup; while it is not, each
 * request looks the token up in PostgreSQL (two primary-key lookups) and fails closed if it cannot.
 * Edges verify tokens offline and cannot see any of this: they accept a revoked token until it expires,
 * which is why tokens are short-lived ({@code auth.token-ttl}).
 */
public final class TokenRevocations implements ChangeFeed.Subscriber {
    /** The channel revocations are announced on. */
    public static final String CHANNEL = "parking_revocations";
    /** Expired entries are dropped once this many are held. */
    private static final int PRUNE_ABOVE = 10_000;

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration clockSkew;
    // jti -> expiry of the revoked token (expired entries are dropped as new ones come).
    private final Map<String, Instant> revokedTokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> cutOffs = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean pushed;

    public TokenRevocations(DataSource dataSource, Clock clock, Duration clockSkew) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.clockSkew = clockSkew;
    }

    /** Called after each revocation this instance hears of (to end streams of revoked tokens). */
    public void onRevocation(Runnable listener) {
        listeners.add(listener);
    }

    /**
     * Whether this token was revoked. A token without any issue time counts as revoked once its user
     * has a cut-off (it cannot be shown to be newer).
     */
    public boolean isRevoked(TokenService.Claims claims) throws SQLException {
        if (pushed) {
            return isRevokedInMemory(claims);
        }
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?)
                    OR EXISTS (SELECT 1 FROM user_token_revocations
                               WHERE username = ? AND (?::timestamptz IS NULL OR ? <= revoked_before))""",
                rs -> rs.getBoolean(1), claims.tokenId(), claims.subject(), claims.issuedAt(), claims.issuedAt()))
                .getFirst();
    }

    /** What memory holds (current only while the feed is live); for ending open streams. */
    public boolean isRevokedInMemory(TokenService.Claims claims) {
        if (revokedTokens.containsKey(claims.tokenId())) {
            return true;
        }
        Instant cutOff = cutOffs.get(claims.subject());
        return cutOff != null && (claims.issuedAt() == null || !claims.issuedAt().isAfter(cutOff));
    }

    @Override
    public void resync(Connection c) throws SQLException {
        Map<String, Instant> tokens = new HashMap<>();
        Jdbc.query(c, "SELECT jti, expires_at FROM revoked_tokens", rs -> tokens.put(rs.getString(1),
                Jdbc.instant(rs.getTimestamp(2))));
        Map<String, Instant> users = new HashMap<>();
        Jdbc.query(c, "SELECT username, revoked_before FROM user_token_revocations", rs -> users.put(rs.getString(1),
                Jdbc.instant(rs.getTimestamp(2))));
        // Only added to: a revocation is never taken back, and one announced meanwhile must stay.
        revokedTokens.putAll(tokens);
        users.forEach(this::cutOff);
        pushed = true;
        fire();
    }

    @Override
    public void notified(String payload) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(payload);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a revocation announcement", e);
        }
        if (n.hasNonNull("jti")) {
            token(n.get("jti").asText(), null);
        } else {
            cutOff(n.get("username").asText(), Instant.parse(n.get("revokedBefore").asText()));
        }
        fire();
    }

    @Override
    public void lost() {
        pushed = false;
    }

    private void token(String jti, Instant expiresAt) {
        Instant now = clock.instant();
        if (revokedTokens.size() > PRUNE_ABOVE) {
            revokedTokens.values().removeIf(exp -> exp != null && exp.plus(clockSkew).plusSeconds(60).isBefore(now));
        }
        // An announced one has no expiry here: it stays until the next reload, which has it.
        revokedTokens.merge(jti, expiresAt == null ? Instant.MAX : expiresAt, (a, b) -> a.isAfter(b) ? a : b);
    }

    private void cutOff(String username, Instant before) {
        cutOffs.merge(username, before, (a, b) -> a.isAfter(b) ? a : b);
    }

    private void fire() {
        listeners.forEach(Runnable::run);
    }

    /** Audit details of a revocation. */
    record TokenRevoked(String jti) {
    }

    record TokensRevoked(Instant revokedBefore) {
    }

    /** Revokes one token (the caller's own, at logout), audited as {@code token.revoke}. */
    public void revokeToken(TokenService.Claims claims, Principal by) throws SQLException {
        revokeTokenInDatabase(claims, by);
        // Refused here at once, before the announcement comes back.
        token(claims.tokenId(), claims.expiresAt());
        fire();
    }

    private void revokeTokenInDatabase(TokenService.Claims claims, Principal by) throws SQLException {
        Jdbc.inTransaction(dataSource, c -> {
            Jdbc.update(c, """
                    INSERT INTO revoked_tokens (jti, username, expires_at, revoked_by) VALUES (?, ?, ?, ?)
                    ON CONFLICT (jti) DO NOTHING""", claims.tokenId(), claims.subject(), claims.expiresAt(),
                    by.username());
            // Rows of tokens that have expired (beyond the accepted skew) protect nothing any more.
            Jdbc.update(c, "DELETE FROM revoked_tokens WHERE expires_at < ?",
                    clock.instant().minus(clockSkew).minusSeconds(60));
            AuditLog.append(c, by, "token.revoke", claims.subject(), null, null, new TokenRevoked(claims.tokenId()));
            return null;
        });
    }

    /**
     * Revokes every token of {@code username} issued up to now, audited as {@code user.revoke-tokens}.
     * Tokens issued afterwards (a new login) are valid.
     */
    public Instant revokeAll(String username, String reason, Principal by) throws SQLException {
        Instant now = clock.instant();
        Instant cutOff = Jdbc.inTransaction(dataSource, c -> {
            Jdbc.update(c, """
                    INSERT INTO user_token_revocations (username, revoked_before, revoked_by) VALUES (?, ?, ?)
                    ON CONFLICT (username) DO UPDATE
                    SET revoked_before = greatest(user_token_revocations.revoked_before, excluded.revoked_before),
                        revoked_by = excluded.revoked_by""", username, now, by.username());
            AuditLog.append(c, by, "user.revoke-tokens", username, null, reason, new TokensRevoked(now));
            return now;
        });
        cutOff(username, cutOff);
        fire();
        return cutOff;
    }
}
