package org.openparking.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.auth.OperatorTokens;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.VehicleType;

/** A technician's actions on the level: close/open, manual barrier open, fault reset, tariff, allow-list. */
final class AdminService implements HttpService {
    private final LevelCommands commands;
    private final OperatorTokens tokens;
    private final EdgeSettings.Auth auth;

    AdminService(LevelCommands commands, OperatorTokens tokens, EdgeSettings.Auth auth) {
        this.commands = commands;
        this.tokens = tokens;
        this.auth = auth;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::authorize)
                .post("/level/status", this::levelStatus)
                .post("/lanes/{laneId}/open", this::open)
                .post("/lanes/{laneId}/reset", this::reset)
                .get("/tariff", (req, res) -> JsonIo.ok(res, commands.currentTariff()))
                .put("/tariff", this::tariff)
                .put("/allow-list", this::allowList)
                .post("/occupancy/recount", this::recount);
    }

    /** In TOKEN mode every admin call needs an operator token verified with a key the cloud pushed. */
    private void authorize(ServerRequest req, ServerResponse res) {
        if (auth.mode() == EdgeSettings.Auth.Mode.OPEN) {
            res.next();
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED", "an operator token is required");
        }
        if (!tokens.hasKeys()) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED",
                    "this edge has not received an operator key from the cloud yet");
        }
        OperatorTokens.Operator operator;
        try {
            operator = tokens.verify(header.substring(7).trim());
        } catch (OperatorTokens.TokenException e) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED", e.getMessage());
        }
        if (!operator.has("operator")) {
            throw new ParkingException(Kind.FORBIDDEN, "FORBIDDEN", "the operator role is required");
        }
        req.context().register("parking.user", operator.subject());
        res.next();
    }

    private static String actor(ServerRequest req) {
        return req.context().get("parking.user", String.class).orElse("local-technician");
    }

    private void levelStatus(ServerRequest req, ServerResponse res) {
        ObjectNode body = JsonIo.body(req);
        boolean closed = JsonIo.requiredBoolean(body, "closed");
        JsonIo.ok(res, commands.setClosed(closed, JsonIo.optionalText(body, "reason"), actor(req)));
    }

    private void open(ServerRequest req, ServerResponse res) {
        String laneId = req.path().pathParameters().get("laneId");
        commands.openBarrier(laneId, JsonIo.requiredText(JsonIo.body(req), "reason"), actor(req));
        JsonIo.ok(res, Map.of("laneId", laneId, "opened", true));
    }

    private void reset(ServerRequest req, ServerResponse res) {
        String laneId = req.path().pathParameters().get("laneId");
        commands.resetFault(laneId, actor(req));
        JsonIo.ok(res, Map.of("laneId", laneId, "reset", true));
    }

    private void recount(ServerRequest req, ServerResponse res) {
        ObjectNode body = JsonIo.body(req);
        VehicleType type = JsonIo.optionalEnum(body, "type", VehicleType.class);
        JsonNode occupied = body.get("occupied");
        if (type == null) {
            throw new ParkingException(Kind.BAD_REQUEST, "MISSING_FIELD", "type is required");
        }
        if (occupied == null || !occupied.canConvertToInt() || !occupied.isIntegralNumber()) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", "occupied must be a whole number");
        }
        JsonIo.ok(res, commands.recount(type, occupied.intValue(), JsonIo.optionalText(body, "reason"), actor(req)));
    }

    private void tariff(ServerRequest req, ServerResponse res) {
        ObjectNode body = JsonIo.body(req);
        Tariff tariff;
        try {
            tariff = JsonIo.MAPPER.treeToValue(body, Tariff.class);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_TARIFF", cause.getMessage());
        }
        if (!commands.applyTariff(tariff)) {
            throw new ParkingException(Kind.CONFLICT, "STALE_TARIFF_VERSION",
                    "tariff version " + tariff.version() + " is not newer than the one in force");
        }
        JsonIo.send(res, Status.OK_200, tariff);
    }

    private void allowList(ServerRequest req, ServerResponse res) {
        JsonNode plates = JsonIo.body(req).get("plates");
        if (plates == null || !plates.isArray()) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", "plates must be an array of strings");
        }
        List<String> list = new ArrayList<>();
        plates.forEach(p -> {
            if (!p.isTextual()) {
                throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", "plates must be an array of strings");
            }
            list.add(p.asText());
        });
        commands.replaceAllowList(list);
        JsonIo.ok(res, Map.of("plates", list.size()));
    }
}
