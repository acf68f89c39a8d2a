package org.openparking.edge.http;

import com.fasterxml.jackson.core.exc.StreamReadException;
import io.helidon.http.media.jackson.JacksonRuntimeException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.auth.OperatorTokens;
import org.openparking.edge.command.LevelCommands;
import org.openparking.platform.json.JsonBodies;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/** A technician's actions on the level: close/open, manual barrier open, fault reset, tariff, allow-list. */
final class AdminService implements HttpService {
    private final LevelCommands commands;
    private final OperatorTokens tokens;
    private final Credentials credentials;

    AdminService(LevelCommands commands, OperatorTokens tokens, Credentials credentials) {
        this.commands = commands;
        this.tokens = tokens;
        this.credentials = credentials;
    }

    // Request bodies: every field may be absent (null), the handlers say which ones are required.
    record LevelStatusRequest(Boolean closed, String reason) {
        static final LevelStatusRequest NONE = new LevelStatusRequest(null, null);
    }

    /** A manual barrier opening: why, for the record. */
    record OpenRequest(String reason) {
        static final OpenRequest NONE = new OpenRequest(null);
    }

    /** {@code type} is read case-insensitively. */
    record RecountRequest(String type, Integer occupied, String reason) {
        static final RecountRequest NONE = new RecountRequest(null, null, null);
    }

    record AllowListRequest(List<String> plates) {
        static final AllowListRequest NONE = new AllowListRequest(null);
    }

    record LaneOpened(String laneId, boolean opened) {
    }

    record LaneReset(String laneId, boolean reset) {
    }

    record AllowListReplaced(int plates) {
    }

    record KeyRevoked(String kid, boolean revoked) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::authorize)
                .post("/level/status", this::levelStatus)
                .post("/lanes/{laneId}/open", this::open)
                .post("/lanes/{laneId}/reset", this::reset)
                .get("/tariff", (req, res) -> res.send(commands.currentTariff()))
                .put("/tariff", this::tariff)
                .put("/allow-list", this::allowList)
                .post("/permits/{permitId}/neutral", (req, res) -> res.send(commands.setNeutral(
                        req.path().pathParameters().get("permitId"), actor(req))))
                .post("/occupancy/recount", this::recount)
                .get("/operator-keys", this::listKeys)
                .delete("/operator-keys/{kid}", this::revokeKey);
    }

    /**
     * In TOKEN mode every admin call needs an operator token of this lot's operator (or a platform user's)
     * verified with the key the cloud pushed.
     */
    private void authorize(ServerRequest req, ServerResponse res) {
        if (credentials.open()) {
            res.next();
            return;
        }
        req.context().register("parking.user", credentials.operator(req, "operator").subject());
        res.next();
    }

    /** The keys this edge was sent and which one it trusts. */
    private void listKeys(ServerRequest req, ServerResponse res) {
        res.send(tokens.keys());
    }

    /** Revokes a key by id; only an admin, since it shuts every operator out until the cloud pushes another. */
    private void revokeKey(ServerRequest req, ServerResponse res) {
        if (!credentials.open()) {
            credentials.operator(req, "admin");
        }
        String kid = req.path().pathParameters().get("kid");
        if (!tokens.revoke(kid)) {
            throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_KEY", "no trusted operator key " + kid);
        }
        res.send(new KeyRevoked(kid, true));
    }

    private static String actor(ServerRequest req) {
        return req.context().get("parking.user", String.class).orElse("local-technician");
    }

    private void levelStatus(ServerRequest req, ServerResponse res) {
        LevelStatusRequest body = JsonBodies.read(req, LevelStatusRequest.class, () -> LevelStatusRequest.NONE);
        boolean closed = Requests.requiredBoolean("closed", body.closed());
        res.send(commands.setClosed(closed, body.reason(), actor(req)));
    }

    private void open(ServerRequest req, ServerResponse res) {
        String laneId = req.path().pathParameters().get("laneId");
        OpenRequest body = JsonBodies.read(req, OpenRequest.class, () -> OpenRequest.NONE);
        commands.openBarrier(laneId, body.reason(), actor(req));
        res.send(new LaneOpened(laneId, true));
    }

    private void reset(ServerRequest req, ServerResponse res) {
        String laneId = req.path().pathParameters().get("laneId");
        commands.resetFault(laneId, actor(req));
        res.send(new LaneReset(laneId, true));
    }

    private void recount(ServerRequest req, ServerResponse res) {
        RecountRequest body = JsonBodies.read(req, RecountRequest.class, () -> RecountRequest.NONE);
        VehicleType type = Requests.optionalEnum("type", body.type(), VehicleType.class);
        if (type == null) {
            throw new ParkingException(Kind.BAD_REQUEST, "MISSING_FIELD", "type is required");
        }
        if (body.occupied() == null) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", "occupied must be a whole number");
        }
        res.send(commands.recount(type, body.occupied(), body.reason(), actor(req)));
    }

    private void tariff(ServerRequest req, ServerResponse res) {
        Tariff tariff;
        try {
            tariff = JsonBodies.read(req, Tariff.class, () -> {
                throw new ParkingException(Kind.BAD_REQUEST, "INVALID_TARIFF", "a tariff is required");
            });
        } catch (JacksonRuntimeException e) {
            // Not JSON at all stays MALFORMED_JSON; JSON that is not a valid tariff has its own code.
            if (e.getCause() instanceof StreamReadException) {
                throw e;
            }
            Throwable cause = e.getCause() != null && e.getCause().getCause() != null ? e.getCause().getCause()
                    : e.getCause() != null ? e.getCause() : e;
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_TARIFF", cause.getMessage());
        }
        if (!commands.applyTariff(tariff)) {
            throw new ParkingException(Kind.CONFLICT, "STALE_TARIFF_VERSION",
                    "tariff version " + tariff.version() + " is not newer than the one in force");
        }
        res.send(tariff);
    }

    private void allowList(ServerRequest req, ServerResponse res) {
        AllowListRequest body = JsonBodies.read(req, AllowListRequest.class, () -> AllowListRequest.NONE);
        if (body.plates() == null || body.plates().contains(null)) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", "plates must be an array of strings");
        }
        commands.replaceAllowList(List.copyOf(body.plates()));
        res.send(new AllowListReplaced(body.plates().size()));
    }
}
