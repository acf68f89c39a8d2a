package org.openparking.cloud.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.command.CommandService;
import org.openparking.cloud.fleet.FleetQueries;
import org.openparking.cloud.fleet.FleetViews;

/** Lots, levels with live availability, edges and their sync status, drift; edge registration. */
public final class FleetService implements HttpService {
    private final FleetQueries queries;
    private final CommandService commands;

    public FleetService(FleetQueries queries, CommandService commands) {
        this.queries = queries;
        this.commands = commands;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/lots", this::lots)
                .get("/lots/{lotId}/levels", this::levels)
                .get("/edges", this::edges)
                .get("/drift", this::drift)
                .post("/edges", this::registerEdge);
    }

    private void lots(ServerRequest req, ServerResponse res) throws Exception {
        Http.ok(res, queries.lots());
    }

    private void levels(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = Http.path(req, "lotId");
        List<FleetViews.Level> levels = queries.levels(lotId);
        if (levels.isEmpty()) {
            throw CloudException.notFound("LOT_NOT_FOUND", "no level of lot " + lotId + " is known");
        }
        Http.ok(res, levels);
    }

    private void edges(ServerRequest req, ServerResponse res) throws Exception {
        Http.ok(res, queries.edges(Http.query(req, "lot").orElse(null)));
    }

    /** {@code ?lot=&level=&from=&limit=}: drift the edges recorded, newest first. */
    private void drift(ServerRequest req, ServerResponse res) throws Exception {
        Http.ok(res, queries.drift(new FleetViews.DriftFilter(Http.query(req, "lot").orElse(null),
                Http.query(req, "level").orElse(null), Http.instantParam(req, "from"), Http.limitParam(req),
                Http.visibleLots())));
    }

    private void registerEdge(ServerRequest req, ServerResponse res) throws Exception {
        JsonNode body = Http.body(req);
        String lotId = Http.text(body, "lotId").orElseThrow(() -> CloudException.invalid("lotId is required"));
        String levelId = Http.text(body, "levelId").orElseThrow(() -> CloudException.invalid("levelId is required"));
        CommandService.Registration r = commands.registerEdge(lotId, levelId, Http.operator(req));
        Http.json(res, r.created() ? Status.CREATED_201 : Status.OK_200, r);
    }
}
