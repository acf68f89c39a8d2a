package org.openparking.cloud.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.command.CommandService;
import org.openparking.protocol.Tariff;

/** Commands to edges: tariffs per lot, level open/close, remote barrier opening. */
public final class CommandsService implements HttpService {
    private final CommandService commands;

    public CommandsService(CommandService commands) {
        this.commands = commands;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.put("/lots/{lotId}/tariff", this::putTariff)
                .get("/lots/{lotId}/tariff", this::getTariff)
                .post("/levels/{lotId}/{levelId}/status", this::levelStatus)
                .post("/lanes/{lotId}/{levelId}/{laneId}/open", this::openBarrier);
    }

    private void putTariff(ServerRequest req, ServerResponse res) throws Exception {
        Tariff tariff = Http.body(req, Tariff.class);
        Http.ok(res, commands.putTariff(Http.path(req, "lotId"), tariff, Http.operator(req)));
    }

    private void getTariff(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = Http.path(req, "lotId");
        Http.ok(res, commands.currentTariff(lotId)
                .orElseThrow(() -> CloudException.notFound("TARIFF_NOT_FOUND", "lot " + lotId + " has no tariff")));
    }

    private void levelStatus(ServerRequest req, ServerResponse res) throws Exception {
        JsonNode body = Http.body(req);
        JsonNode closed = body.get("closed");
        if (closed == null || !closed.isBoolean()) {
            throw CloudException.invalid("closed (true or false) is required");
        }
        Http.json(res, Status.ACCEPTED_202, commands.setLevelStatus(Http.path(req, "lotId"),
                Http.path(req, "levelId"), closed.asBoolean(), Http.text(body, "reason").orElse(null),
                Http.operator(req)));
    }

    private void openBarrier(ServerRequest req, ServerResponse res) throws Exception {
        JsonNode body = Http.body(req);
        Http.json(res, Status.ACCEPTED_202, commands.openBarrier(Http.path(req, "lotId"), Http.path(req, "levelId"),
                Http.path(req, "laneId"), Http.text(body, "reason").orElse(null), Http.operator(req)));
    }
}
