package org.openparking.cloud.http;

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

    /** {@code POST /levels/{lotId}/{levelId}/status}. */
    record LevelStatusRequest(Boolean closed, String reason) {
    }

    /** {@code POST /lanes/{lotId}/{levelId}/{laneId}/open}. */
    record OpenRequest(String reason) {
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
        res.send(commands.putTariff(Http.path(req, "lotId"), tariff, Http.caller(req)));
    }

    private void getTariff(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = Http.path(req, "lotId");
        res.send(commands.currentTariff(lotId)
                .orElseThrow(() -> CloudException.notFound("TARIFF_NOT_FOUND", "lot " + lotId + " has no tariff")));
    }

    private void levelStatus(ServerRequest req, ServerResponse res) throws Exception {
        LevelStatusRequest body = Http.body(req, LevelStatusRequest.class);
        if (body.closed() == null) {
            throw CloudException.invalid("closed (true or false) is required");
        }
        res.status(Status.ACCEPTED_202).send(commands.setLevelStatus(Http.path(req, "lotId"),
                Http.path(req, "levelId"), body.closed(), body.reason(), Http.caller(req)));
    }

    private void openBarrier(ServerRequest req, ServerResponse res) throws Exception {
        OpenRequest body = Http.body(req, OpenRequest.class);
        res.status(Status.ACCEPTED_202).send(commands.openBarrier(Http.path(req, "lotId"), Http.path(req, "levelId"),
                Http.path(req, "laneId"), body.reason(), Http.caller(req)));
    }
}
