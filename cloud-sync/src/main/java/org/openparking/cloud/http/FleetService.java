package org.openparking.cloud.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.command.CommandService;
import org.openparking.cloud.fleet.FleetQueries;
import org.openparking.cloud.fleet.FleetViews;

/** Lots, levels with live availability, edges and their sync status, drift; edge registration. */
public final class FleetService implements HttpService {
    private final FleetQueries queries;
    private final CommandService commands;
    private final ViewCache views;

    /** {@code views} answers the two views portals poll (the lots, a lot's levels). */
    public FleetService(FleetQueries queries, CommandService commands, ViewCache views) {
        this.queries = queries;
        this.commands = commands;
        this.views = views;
    }

    /** {@code POST /edges}: an edge known before it ever connects. */
    record EdgeRegistration(String lotId, String levelId) {
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
        Set<String> visible = Http.visibleLots(req);
        // One view per set of visible lots: a tenant's never includes another's.
        String key = "lots:" + (visible == null ? "*" : String.join(",", new TreeSet<>(visible)));
        views.send(req, res, key, () -> queries.lots(visible));
    }

    private void levels(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = Http.path(req, "lotId");
        // The gateway has checked that the caller sees this lot; the view is the same for everyone who does.
        views.send(req, res, "levels:" + lotId, () -> {
            List<FleetViews.Level> levels = queries.levels(lotId);
            if (levels.isEmpty()) {
                throw CloudException.notFound("LOT_NOT_FOUND", "no level of lot " + lotId + " is known");
            }
            return levels;
        });
    }

    private void edges(ServerRequest req, ServerResponse res) throws Exception {
        res.send(queries.edges(Http.query(req, "lot").orElse(null), Http.visibleLots(req)));
    }

    /** {@code ?lot=&level=&from=&limit=}: drift the edges recorded, newest first. */
    private void drift(ServerRequest req, ServerResponse res) throws Exception {
        res.send(queries.drift(new FleetViews.DriftFilter(Http.query(req, "lot").orElse(null),
                Http.query(req, "level").orElse(null), Http.instantParam(req, "from"), Http.limitParam(req),
                Http.visibleLots(req))));
    }

    private void registerEdge(ServerRequest req, ServerResponse res) throws Exception {
        EdgeRegistration body = Http.body(req, EdgeRegistration.class);
        if (body.lotId() == null) {
            throw CloudException.invalid("lotId is required");
        }
        if (body.levelId() == null) {
            throw CloudException.invalid("levelId is required");
        }
        CommandService.Registration r = commands.registerEdge(body.lotId(), body.levelId(), Http.caller(req));
        res.status(r.created() ? Status.CREATED_201 : Status.OK_200).send(r);
    }
}
