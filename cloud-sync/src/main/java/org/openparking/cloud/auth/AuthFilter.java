package org.openparking.cloud.auth;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.platform.json.HttpErrors;

/**
 * The gateway in front of {@code /api/v1}: security headers on every response, body size limit,
 * bearer token verification (401), per-token rate limit (429), the endpoint's role (403) and the
 * object-level check (404 for another tenant's lot or session, exactly as for a missing one).
 * A signature-valid token that was revoked ({@link TokenRevocations}) is a 401 as well. The caller's
 * {@link Principal} is then put in the request's context, where handlers take it ({@link #caller}) and pass
 * it on to what they call: list queries filter by its lots, operator actions are audited under its name.
 * The token's {@link TokenService.Claims} are in the context too (logout revokes them).
 */
public final class AuthFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(AuthFilter.class.getName());
    public static final String API = "/api/v1";
    public static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
    /** The only endpoint that also takes the token as a query parameter: EventSource cannot set headers. */
    static final String STREAM_PATH = "/stream";

    private static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");
    private static final HeaderName FRAME = HeaderNames.create("X-Frame-Options");
    private static final HeaderName NOSNIFF = HeaderNames.create("X-Content-Type-Options");
    private static final HeaderName REFERRER = HeaderNames.create("Referrer-Policy");
    private static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");

    private final TokenService tokens;
    private final TokenRevocations revocations;
    private final OperatorLots operatorLots;
    private final DataSource dataSource;
    private final RateLimiter apiLimiter;
    private final long maxBodyBytes;

    /**
     * {@code operatorLots} gives an operator token's lots; {@code dataSource} answers the session lookup of
     * session-scoped routes (the API's queued reads).
     */
    public AuthFilter(TokenService tokens, TokenRevocations revocations, OperatorLots operatorLots,
                      DataSource dataSource, RateLimiter apiLimiter, long maxBodyBytes) {
        this.tokens = tokens;
        this.revocations = revocations;
        this.operatorLots = operatorLots;
        this.dataSource = dataSource;
        this.apiLimiter = apiLimiter;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String requestId = req.headers().first(REQUEST_ID).filter(v -> v.matches("[A-Za-z0-9._-]{1,64}"))
                .orElseGet(() -> UUID.randomUUID().toString());
        res.header(REQUEST_ID, requestId);
        securityHeaders(res);
        String path = req.path().path();
        if (!path.equals(API) && !path.startsWith(API + "/")) {
            chain.proceed();
            return;
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Optional<Long> length = req.headers().contentLength().stream().boxed().findFirst();
        if (length.isPresent() && length.get() > maxBodyBytes) {
            HttpErrors.send(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "BODY_TOO_LARGE",
                    "request bodies are limited to " + maxBodyBytes + " bytes");
            return;
        }
        String relative = path.substring(API.length());
        String method = req.prologue().method().text();
        Optional<AccessPolicy.Match> match = AccessPolicy.match(method, relative);
        if (match.isPresent() && match.get().rule().isPublic()) {
            chain.proceed();
            return;
        }
        Optional<String> token = bearer(req, match.map(m -> m.rule().path().equals(STREAM_PATH)).orElse(false));
        if (token.isEmpty()) {
            unauthorized(res, "a bearer token is required (POST " + API + "/auth/login)");
            return;
        }
        TokenService.Claims claims;
        try {
            claims = tokens.verify(token.get());
        } catch (TokenService.InvalidTokenException e) {
            unauthorized(res, e.getMessage());
            return;
        }
        Duration wait = apiLimiter.acquire(claims.tokenId());
        if (!wait.isZero()) {
            tooMany(res, wait, "too many requests for this token");
            return;
        }
        // After the rate limit: a flood with one token costs at most its bucket in database reads.
        try {
            if (revocations.isRevoked(claims)) {
                unauthorized(res, "token revoked; log in again");
                return;
            }
        } catch (SQLException e) {
            // Fail closed: a token that cannot be checked is not accepted.
            LOG.log(Level.WARNING, "cannot check token revocation for " + method + " " + path, e);
            HttpErrors.send(res, Status.SERVICE_UNAVAILABLE_503, "DATABASE_UNAVAILABLE",
                    "cannot check the token now");
            return;
        }
        if (match.isEmpty()) {
            HttpErrors.send(res, Status.NOT_FOUND_404, "NOT_FOUND", "no endpoint " + method + " " + path);
            return;
        }
        AccessPolicy.Rule rule = match.get().rule();
        if (!claims.role().atLeast(rule.role())) {
            HttpErrors.send(res, Status.FORBIDDEN_403, "FORBIDDEN",
                    method + " " + API + rule.path() + " needs role " + rule.role().claim());
            return;
        }
        Principal caller;
        try {
            caller = new Principal(claims.subject(), claims.role(), claims.operatorId(),
                    claims.operatorId() == null ? Set.of() : operatorLots.of(claims.operatorId()), requestId);
            if (rule.scope() == AccessPolicy.Scope.PLATFORM && !caller.platform()) {
                HttpErrors.send(res, Status.FORBIDDEN_403, "FORBIDDEN",
                        method + " " + API + rule.path() + " is for platform administrators");
                return;
            }
            if (!visible(caller, rule.scope(), match.get())) {
                HttpErrors.send(res, Status.NOT_FOUND_404, "NOT_FOUND", "no such " + (rule.scope()
                        == AccessPolicy.Scope.SESSION ? "session" : "lot"));
                return;
            }
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "cannot authorize " + method + " " + path, e);
            HttpErrors.send(res, Status.SERVICE_UNAVAILABLE_503, "DATABASE_UNAVAILABLE",
                    "cannot check access now");
            return;
        }
        req.context().register(caller);
        req.context().register(claims);
        chain.proceed();
    }

    /** The authenticated caller of a request this filter let through. */
    public static Principal caller(ServerRequest req) {
        return req.context().get(Principal.class)
                .orElseThrow(() -> new IllegalStateException("no caller: the endpoint is not behind AuthFilter"));
    }

    private boolean visible(Principal caller, AccessPolicy.Scope scope, AccessPolicy.Match match)
            throws SQLException {
        if (caller.platform()) {
            return true;
        }
        return switch (scope) {
            case NONE, PLATFORM -> true;
            case LOT -> caller.sees(match.params().get("lotId"));
            case SESSION -> {
                List<String> lots = Jdbc.read(dataSource, c -> Jdbc.query(c,
                        "SELECT lot_id FROM sessions WHERE session_id = ?", rs -> rs.getString(1),
                        match.params().get("id")));
                // A missing session reads exactly as another tenant's does, so that an operator cannot tell
                // which session ids exist elsewhere by the difference.
                yield !lots.isEmpty() && caller.sees(lots.getFirst());
            }
        };
    }

    private static Optional<String> bearer(RoutingRequest req, boolean queryAllowed) {
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(v -> v.substring(7).trim());
        if (header.isPresent() || !queryAllowed) {
            return header;
        }
        return req.query().first("access_token").asOptional();
    }

    static void securityHeaders(RoutingResponse res) {
        res.header(CSP, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                + "frame-ancestors 'none'");
        res.header(NOSNIFF, "nosniff");
        res.header(FRAME, "DENY");
        res.header(REFERRER, "no-referrer");
    }

    private static void unauthorized(RoutingResponse res, String message) {
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"openparking\"");
        HttpErrors.send(res, Status.UNAUTHORIZED_401, "UNAUTHORIZED", message);
    }

    /** A 429 from a handler (login). */
    static void tooMany(io.helidon.webserver.http.ServerResponse res, Duration wait, String message) {
        res.header(RETRY_AFTER, retryAfter(wait));
        HttpErrors.send(res, Status.TOO_MANY_REQUESTS_429, "RATE_LIMITED", message);
    }

    /** A 429 from this filter, which answers without proceeding. */
    private static void tooMany(RoutingResponse res, Duration wait, String message) {
        res.header(RETRY_AFTER, retryAfter(wait));
        HttpErrors.send(res, Status.TOO_MANY_REQUESTS_429, "RATE_LIMITED", message);
    }

    private static String retryAfter(Duration wait) {
        return String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000));
    }
}
