package org.openparking.edge.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Set;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.firmware.RampDetector;
import org.openparking.firmware.SimulatedLevel;
import org.openparking.platform.json.JsonBodies;

/**
 * Drives simulated hardware ({@code hardware.mode: simulated} only). Inputs go through the same
 * debounce and interlocks as real pins, so the answer is 202: the effect follows.
 */
final class SimulatorService implements HttpService {
    private final SimulatedLevel sim;
    private final Set<String> spotIds;
    private final Set<String> laneIds;
    private final Set<String> rampIds;

    SimulatorService(SimulatedLevel sim, Set<String> spotIds, Set<String> laneIds, Set<String> rampIds) {
        this.sim = sim;
        this.spotIds = spotIds;
        this.laneIds = laneIds;
        this.rampIds = rampIds;
    }

    record SpotRequest(Boolean occupied) {
    }

    record PresenceRequest(Boolean present) {
    }

    record FaultRequest(String reason) {
    }

    record PassageRequest(String direction) {
    }

    record SpotSet(String spotId, boolean occupied) {
    }

    record LaneLoopSet(String laneId, String loop, boolean present) {
    }

    record RampPassage(String rampId, RampDetector.Passage direction) {
    }

    record RampLoopSet(String rampId, String loop, boolean present) {
    }

    record LaneFault(String laneId, boolean fault) {
    }

    record PrinterFault(String laneId, boolean printerFault) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/spots/{spotId}", this::spot)
                .post("/lanes/{laneId}/arming", (req, res) -> loop(req, res, true))
                .post("/lanes/{laneId}/safety", (req, res) -> loop(req, res, false))
                .post("/lanes/{laneId}/fault", this::fault)
                .post("/lanes/{laneId}/printer-fault", this::printerFault)
                .delete("/lanes/{laneId}/printer-fault", this::clearPrinterFault)
                .get("/lanes/{laneId}/printed", (req, res) -> res.send(sim.printed(laneId(req))))
                .post("/ramps/{rampId}/passages", this::rampPassage)
                .post("/ramps/{rampId}/loops/{loop}", this::rampLoop);
    }

    /** A whole car over the ramp's two loops: {@code {"direction": "IN" | "OUT" | "TURNED_BACK"}}. */
    private void rampPassage(ServerRequest req, ServerResponse res) {
        String rampId = rampId(req);
        RampDetector.Passage passage = Requests.optionalEnum("direction",
                body(req, PassageRequest.class, new PassageRequest(null)).direction(), RampDetector.Passage.class);
        if (passage == null) {
            throw new ParkingException(Kind.BAD_REQUEST, "MISSING_FIELD", "direction is required (IN, OUT or"
                    + " TURNED_BACK)");
        }
        sim.driveRamp(rampId, passage);
        accepted(res, new RampPassage(rampId, passage));
    }

    /** One loop of a ramp, for playing odd sequences: {@code {"present": true}} on .../loops/outer or /inner. */
    private void rampLoop(ServerRequest req, ServerResponse res) {
        String rampId = rampId(req);
        String name = req.path().pathParameters().get("loop");
        RampDetector.Loop loop = switch (name) {
            case "outer" -> RampDetector.Loop.OUTER;
            case "inner" -> RampDetector.Loop.INNER;
            default -> throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_LOOP", "a ramp has an outer and an inner"
                    + " loop, not " + name);
        };
        boolean present = present(req);
        sim.setRampLoop(rampId, loop, present);
        accepted(res, new RampLoopSet(rampId, name, present));
    }

    private String rampId(ServerRequest req) {
        String rampId = req.path().pathParameters().get("rampId");
        if (!rampIds.contains(rampId)) {
            throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_RAMP", "no ramp " + rampId + " on this level");
        }
        return rampId;
    }

    private void spot(ServerRequest req, ServerResponse res) {
        String spotId = req.path().pathParameters().get("spotId");
        if (!spotIds.contains(spotId)) {
            throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_SPOT", "no spot " + spotId + " on this level");
        }
        boolean occupied = Requests.requiredBoolean("occupied",
                body(req, SpotRequest.class, new SpotRequest(null)).occupied());
        sim.setSpot(spotId, occupied);
        accepted(res, new SpotSet(spotId, occupied));
    }

    private void loop(ServerRequest req, ServerResponse res, boolean arming) {
        String laneId = laneId(req);
        boolean present = present(req);
        if (arming) {
            sim.setArmingLoop(laneId, present);
        } else {
            sim.setSafetyLoop(laneId, present);
        }
        accepted(res, new LaneLoopSet(laneId, arming ? "arming" : "safety", present));
    }

    private void fault(ServerRequest req, ServerResponse res) {
        String laneId = laneId(req);
        String reason = reason(req);
        sim.injectBarrierFault(laneId, reason == null ? "simulated fault" : reason);
        accepted(res, new LaneFault(laneId, true));
    }

    private void printerFault(ServerRequest req, ServerResponse res) {
        String laneId = laneId(req);
        String reason = reason(req);
        sim.injectPrinterFault(laneId, reason == null ? "paper out" : reason);
        accepted(res, new PrinterFault(laneId, true));
    }

    private void clearPrinterFault(ServerRequest req, ServerResponse res) {
        String laneId = laneId(req);
        sim.injectPrinterFault(laneId, null);
        accepted(res, new PrinterFault(laneId, false));
    }

    private String laneId(ServerRequest req) {
        String laneId = req.path().pathParameters().get("laneId");
        if (!laneIds.contains(laneId)) {
            throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_LANE", "no lane " + laneId + " on this level");
        }
        return laneId;
    }

    private static <T> T body(ServerRequest req, Class<T> type, T whenEmpty) {
        return JsonBodies.read(req, type, () -> whenEmpty);
    }

    private static boolean present(ServerRequest req) {
        return Requests.requiredBoolean("present",
                body(req, PresenceRequest.class, new PresenceRequest(null)).present());
    }

    private static String reason(ServerRequest req) {
        return body(req, FaultRequest.class, new FaultRequest(null)).reason();
    }

    private static void accepted(ServerResponse res, Object body) {
        res.status(Status.ACCEPTED_202).send(body);
    }
}
