package org.openparking.edge.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.lane.LaneController;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.DriftLog;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.RampCounter;
import org.openparking.edge.occupancy.SpotTracker;
import org.openparking.edge.session.ParkingService;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.VehicleType;

/** Availability, spots, ramps, lanes, entries and exits: what lane terminals and signs call. */
final class LevelService implements HttpService {
    private final LevelAvailability board;
    private final SpotTracker spots;
    private final Map<String, LaneController> lanes;
    private static final int MAX_DRIFT = 500;

    private final RampCounter ramps;
    private final DriftLog drift;

    LevelService(LevelAvailability board, SpotTracker spots, Map<String, LaneController> lanes, RampCounter ramps,
                 DriftLog drift) {
        this.board = board;
        this.spots = spots;
        this.lanes = lanes;
        this.ramps = ramps;
        this.drift = drift;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/availability", this::availability)
                .get("/spots", (req, res) -> JsonIo.ok(res, spots.spots()))
                .get("/ramps", (req, res) -> JsonIo.ok(res, ramps.ramps()))
                .get("/drift", this::drift)
                .get("/lanes", (req, res) -> JsonIo.ok(res, lanes.values().stream().map(LaneController::view).toList()))
                .post("/lanes/{laneId}/entries", this::entry)
                .post("/lanes/{laneId}/exits", this::exit);
    }

    /** ETag is the availability version, so a sign polling every second costs a 304 and no body. */
    private void availability(ServerRequest req, ServerResponse res) {
        Availability a = board.current();
        String etag = "\"" + a.version() + "\"";
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        List<String> ifNoneMatch = req.headers().all(HeaderNames.IF_NONE_MATCH, List::of);
        if (ifNoneMatch.stream().flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim)
                .anyMatch(v -> v.equals(etag) || v.equals("W/" + etag) || v.equals("*"))) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        JsonIo.ok(res, a);
    }

    /** The newest drift events, {@code ?limit=} 1-500 (50). */
    private void drift(ServerRequest req, ServerResponse res) {
        int limit = JsonIo.limit(req, MAX_DRIFT, 50);
        JsonIo.ok(res, drift.recent(limit));
    }

    private void entry(ServerRequest req, ServerResponse res) {
        LaneController lane = lane(req);
        ObjectNode body = JsonIo.body(req);
        LaneController.Entry e = lane.enter(JsonIo.optionalText(body, "plate"),
                JsonIo.optionalEnum(body, "vehicleType", VehicleType.class));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", e.admission().session().sessionId());
        out.put("ticket", e.admission().ticket());
        out.put("entryTime", e.admission().session().entryTime());
        out.put("gate", e.gate().name());
        out.put("printed", e.printed());
        out.put("vehicleType", e.admission().session().vehicleType());
        out.put("spotType", e.admission().session().spotType());
        JsonIo.send(res, Status.CREATED_201, out);
    }

    private void exit(ServerRequest req, ServerResponse res) {
        LaneController lane = lane(req);
        ObjectNode body = JsonIo.body(req);
        boolean lostTicket = body.has("lostTicket") && JsonIo.requiredBoolean(body, "lostTicket");
        LaneController.Exit x = lostTicket
                ? lane.exitLostTicket(JsonIo.optionalText(body, "plate"), JsonIo.optionalText(body, "paymentMethod"))
                : lane.exit(JsonIo.requiredText(body, "ticket"), JsonIo.optionalText(body, "paymentMethod"));
        ParkingService.Departure d = x.departure();
        Map<String, Object> payment = new LinkedHashMap<>();
        payment.put("status", d.paymentStatus());
        if (d.paymentId() != null) {
            payment.put("paymentId", d.paymentId());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", d.sessionId());
        out.put("fee", Map.of("amount", d.fee(), "currency", d.currency()));
        out.put("payment", payment);
        out.put("gate", d.gateOpens() ? x.gate().name() : "CLOSED");
        if (d.message() != null) {
            out.put("message", d.message());
        }
        JsonIo.send(res, d.paymentStatus() == PaymentStatus.PENDING ? Status.ACCEPTED_202 : Status.OK_200, out);
    }

    private LaneController lane(ServerRequest req) {
        String laneId = req.path().pathParameters().get("laneId");
        LaneController lane = lanes.get(laneId);
        if (lane == null) {
            throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_LANE", "no lane " + laneId + " on this level");
        }
        return lane;
    }
}
