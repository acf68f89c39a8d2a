package org.openparking.cloud.auth;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.command.OutgoingMessages;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;
import org.openparking.platform.json.HttpErrors;
import org.openparking.platform.json.JsonBodies;
import org.openparking.protocol.TrustOperatorKey;

/**
 * Login and logout, the public key (JWK set) for edges, who-am-I, users and operators' lots, revoking
 * a user's tokens, and pushing the public key to every known edge as a {@code TrustOperatorKey} command.
 */
public final class AuthService implements HttpService {
    private static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private final TokenService tokens;
    private final TokenRevocations revocations;
    private final UserStore users;
    private final RateLimiter loginLimiter;
    private final RateLimiter addressLimiter;
    private final ClientAddress clientAddress;
    private final DataSource dataSource;
    private final OutgoingMessages outgoing;

    public AuthService(TokenService tokens, TokenRevocations revocations, UserStore users, RateLimiter loginLimiter,
                       RateLimiter addressLimiter, ClientAddress clientAddress, DataSource dataSource, OutgoingMessages outgoing) {
        this.clientAddress = clientAddress;
        this.tokens = tokens;
        this.revocations = revocations;
        this.users = users;
        this.loginLimiter = loginLimiter;
        this.addressLimiter = addressLimiter;
        this.dataSource = dataSource;
        this.outgoing = outgoing;
    }

    /** What login returns. */
    public record LoginResult(String token, String tokenType, Instant expiresAt, String username, String role,
                              String operator) {
    }

    /** The caller, with the lots it may see (null lots: every lot). */
    public record Me(String username, String role, String operator, List<String> lots) {
    }

    /** The token a logout revoked. */
    public record LoggedOut(String revoked, Instant expiresAt) {
    }

    /** Every token of {@code username} issued at or before {@code revokedBefore} is refused from now on. */
    public record TokensRevoked(String username, Instant revokedBefore) {
    }

    /** Commands that carried the key, one per edge. */
    public record KeyPushed(List<String> commandIds, List<String> edgeIds) {
    }

    /** A user as created; {@code operator} is empty for a platform user. */
    public record CreatedUser(String username, String role, String operator) {
    }

    public record LotAssigned(String operator, String lotId, boolean added) {
    }

    record LoginRequest(String username, String password) {
    }

    record RevokeRequest(String reason) {
    }

    record CreateUserRequest(String username, String password, String role, String operator) {
    }

    record AssignLotRequest(String lotId) {
    }

    /** Audit detail of a key push. */
    record KeyPushDetail(int edges) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/auth/login", this::login)
                .get("/auth/jwks", this::jwks)
                .post("/auth/logout", this::logout)
                .get("/auth/me", this::me)
                .post("/auth/keys/push", this::pushKey)
                .get("/users", this::listUsers)
                .post("/users", this::createUser)
                .post("/users/{username}/tokens/revoke", this::revokeTokens)
                .post("/operators/{operatorId}/lots", this::assignLot);
    }

    private void login(ServerRequest req, ServerResponse res) throws Exception {
        LoginRequest body = JsonBodies.read(req, LoginRequest.class, null);
        String username = required("username", body.username());
        String password = required("password", body.password());
        String address = clientAddress.of(req.remotePeer().host(),
                req.headers().contains(X_FORWARDED_FOR) ? req.headers().get(X_FORWARDED_FOR).allValues() : List.of());
        // Both limits before the BCrypt hash: the address one stops guessing across many usernames; it is
        // checked first so that an address already refused does not use up a username's attempts.
        Duration wait = addressLimiter.acquire(address);
        if (wait.isZero()) {
            wait = loginLimiter.acquire(username + "|" + address);
        }
        if (!wait.isZero()) {
            AuthFilter.tooMany(res, wait, "too many login attempts; try again later");
            return;
        }
        Optional<UserStore.User> user = users.authenticate(username, password);
        if (user.isEmpty()) {
            HttpErrors.send(res, Status.UNAUTHORIZED_401, "BAD_CREDENTIALS", "wrong username or password");
            return;
        }
        UserStore.User u = user.get();
        TokenService.Issued issued = tokens.issue(u.username(), u.role(), u.operatorId());
        res.send(new LoginResult(issued.token(), "Bearer", issued.expiresAt(),
                u.username(), u.role().claim(), u.operatorId()));
    }

    /** Revokes the token this request carries. */
    private void logout(ServerRequest req, ServerResponse res) throws Exception {
        TokenService.Claims claims = req.context().get(TokenService.Claims.class)
                .orElseThrow(() -> new IllegalStateException("no token claims bound"));
        revocations.revokeToken(claims, AuthFilter.caller(req));
        res.send(new LoggedOut(claims.tokenId(), claims.expiresAt()));
    }

    /**
     * Revokes every token a user holds now. A tenant admin may do it for users of its own tenant only;
     * another tenant's user answers 404 as a missing one does.
     */
    private void revokeTokens(ServerRequest req, ServerResponse res) throws Exception {
        Principal p = AuthFilter.caller(req);
        String username = req.path().pathParameters().get("username");
        Optional<UserStore.User> user = users.find(username)
                .filter(u -> p.platform() || p.operatorId().equals(u.operatorId()));
        if (user.isEmpty()) {
            HttpErrors.send(res, Status.NOT_FOUND_404, "USER_NOT_FOUND", "no user " + username);
            return;
        }
        String reason = JsonBodies.read(req, RevokeRequest.class, () -> new RevokeRequest(null)).reason();
        Instant before = revocations.revokeAll(user.get().username(), reason, p);
        res.send(new TokensRevoked(user.get().username(), before));
    }

    private void jwks(ServerRequest req, ServerResponse res) {
        res.send(tokens.jwks());
    }

    private void me(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.caller(req);
        res.send(new Me(p.username(), p.role().claim(), p.operatorId(),
                p.platform() ? null : p.lots().stream().sorted().toList()));
    }

    private void pushKey(ServerRequest req, ServerResponse res) throws Exception {
        Principal p = AuthFilter.caller(req);
        String jwk = tokens.publicJwk();
        List<OutgoingMessages.Pending> pending = Jdbc.inTransaction(dataSource, c -> {
            List<OutgoingMessages.Pending> rows = new ArrayList<>();
            for (String[] edge : Jdbc.query(c, "SELECT lot_id, level_id FROM edges ORDER BY edge_id",
                    rs -> new String[] {rs.getString(1), rs.getString(2)})) {
                rows.add(outgoing.toEdge(c, edge[0], edge[1], new TrustOperatorKey(jwk), p.username()));
            }
            AuditLog.append(c, p, "key.push", "all-edges", null, null, new KeyPushDetail(rows.size()));
            return rows;
        });
        try {
            outgoing.publish(pending);
        } catch (IOException e) {
            throw CloudException.unavailable("BROKER_UNAVAILABLE",
                    "stored, but RabbitMQ did not confirm; the commands are re-published: " + e.getMessage());
        }
        res.status(Status.ACCEPTED_202).send(new KeyPushed(
                pending.stream().map(OutgoingMessages.Pending::commandId).toList(),
                pending.stream().map(OutgoingMessages.Pending::edgeId).toList()));
    }

    private void listUsers(ServerRequest req, ServerResponse res) throws Exception {
        res.send(users.list(AuthFilter.caller(req)));
    }

    private void createUser(ServerRequest req, ServerResponse res) throws Exception {
        Principal p = AuthFilter.caller(req);
        CreateUserRequest body = JsonBodies.read(req, CreateUserRequest.class, null);
        String username = required("username", body.username());
        if (!username.matches("[A-Za-z0-9_.@-]{1,64}")) {
            throw CloudException.invalid("username must be 1 to 64 letters, digits or _ . @ -");
        }
        Role role = Role.parse(required("role", body.role()));
        String operator = body.operator();
        if (!p.platform()) {
            // A tenant's admin creates users of its own tenant only.
            if (operator != null && !operator.equals(p.operatorId())) {
                throw CloudException.invalid("you can create users of operator " + p.operatorId() + " only");
            }
            operator = p.operatorId();
        }
        if (!users.create(username, required("password", body.password()), role, operator, p)) {
            throw CloudException.conflict("USER_EXISTS", "user " + username + " already exists");
        }
        res.status(Status.CREATED_201).send(new CreatedUser(username, role.claim(), operator == null ? "" : operator));
    }

    private void assignLot(ServerRequest req, ServerResponse res) throws Exception {
        String operatorId = req.path().pathParameters().get("operatorId");
        String lotId = required("lotId", JsonBodies.read(req, AssignLotRequest.class, null).lotId());
        if (!operatorId.matches("[A-Za-z0-9_-]{1,64}") || !lotId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw CloudException.invalid("operatorId and lotId must be letters, digits, '-' or '_'");
        }
        boolean added = users.assignLot(operatorId, lotId, AuthFilter.caller(req));
        res.status(added ? Status.CREATED_201 : Status.OK_200).send(new LotAssigned(operatorId, lotId, added));
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw CloudException.invalid(field + " is required (a string)");
        }
        return value;
    }

    /** Creates the configured platform admin once, if a password is configured. */
    public static void bootstrap(UserStore users, AuthSettings settings) throws SQLException {
        if (settings.bootstrapAdminPassword() == null || settings.bootstrapAdminPassword().isBlank()) {
            return;
        }
        users.create(settings.bootstrapAdminUser(), settings.bootstrapAdminPassword(), Role.ADMIN, null, null);
    }
}
