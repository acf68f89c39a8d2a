package org.openparking.cloud.auth;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.platform.jdbc.Jdbc;

/**
 * Revoked tokens in PostgreSQL: one token by its {@code jti} (logout), or every token of a user
 * issued at or before a cut-off (an admin's revoke-all). The gateway asks {@link #isRevoked} on every
 * authenticated request (one primary-key lookup of each table). Edges verify tokens offline and
 * cannot see any of this: they accept a revoked token until it expires, which is why tokens are
 * short-lived ({@code auth.token-ttl}).
 */
public final class TokenRevocations {
    private final DataSource dataSource;
    private final Clock clock;
    private final Duration clockSkew;

    public TokenRevocations(DataSource dataSource, Clock clock, Duration clockSkew) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.clockSkew = clockSkew;
    }

    /**
     * Whether this token was revoked. A token without any issue time counts as revoked once its user
     * has a cut-off (it cannot be shown to be newer).
     */
    public boolean isRevoked(TokenService.Claims claims) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?)
                    OR EXISTS (SELECT 1 FROM user_token_revocations
                               WHERE username = ? AND (?::timestamptz IS NULL OR ? <= revoked_before))""",
                rs -> rs.getBoolean(1), claims.tokenId(), claims.subject(), claims.issuedAt(), claims.issuedAt()))
                .getFirst();
    }

    /** Audit details of a revocation. */
    record TokenRevoked(String jti) {
    }

    record TokensRevoked(Instant revokedBefore) {
    }

    /** Revokes one token (the caller's own, at logout), audited as {@code token.revoke}. */
    public void revokeToken(TokenService.Claims claims, Principal by) throws SQLException {
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
        return Jdbc.inTransaction(dataSource, c -> {
            Jdbc.update(c, """
                    INSERT INTO user_token_revocations (username, revoked_before, revoked_by) VALUES (?, ?, ?)
                    ON CONFLICT (username) DO UPDATE
                    SET revoked_before = greatest(user_token_revocations.revoked_before, excluded.revoked_before),
                        revoked_by = excluded.revoked_by""", username, now, by.username());
            AuditLog.append(c, by, "user.revoke-tokens", username, null, reason, new TokensRevoked(now));
            return now;
        });
    }
}
