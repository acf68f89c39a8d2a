package org.openparking.edge.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import java.util.Set;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.firmware.RampDetector;
import org.openparking.firmware.SimulatedLevel;

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

    @Override
    public void routing(HttpRules rules) {
        rules.post("/spots/{spotId}", this::spot)
                .post("/lanes/{laneId}/arming", (req, res) -> loop(req, res, true))
                .post("/lanes/{laneId}/safety", (req, res) -> loop(req, res, false))
                .post("/lanes/{laneId}/fault", this::fault)
                .post("/lanes/{laneId}/printer-fault", this::printerFault)
                .delete("/lanes/{laneId}/printer-fault", this::clearPrinterFault)
                .get("/lanes/{laneId}/printed", (req, res) -> JsonIo.ok(res, sim.printed(laneId(req))))
                .post("/ramps/{rampId}/passages", this::rampPassage)
                .post("/ramps/{rampId}/loops/{loop}", this::rampLoop);
    }

    /** A whole car over the ramp's two loops: {@code {"direction": "IN" | "OUT" | "TURNED_BACK"}}. */
    private void rampPassage(ServerRequest req, ServerResponse res) {
        String rampId = rampId(req);
        RampDetector.Passage passage = JsonIo.optionalEnum(JsonIo.body(req), "direction", RampDetector.Passage.class);
        if (passage == null) {
            throw new ParkingException(Kind.BAD_REQUEST, "MISSING_FIELD", "direction is required (IN, OUT or"
                    + " TURNED_BACK)");
        }
        sim.driveRamp(rampId, passage);
        JsonIo.send(res, Status.ACCEPTED_202, Map.of("rampId", rampId, "direction", passage));
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
        boolean present = JsonIo.requiredBoolean(JsonIo.body(req), "present");
        sim.setRampLoop(rampId, loop, present);
        JsonIo.send(res, Status.ACCEPTED_202, Map.of("rampId", rampId, "loop", name, "present", present));
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
        boolean occupied = JsonIo.requiredBoolean(JsonIo.body(req), "occupied");
        sim.setSpot(spotId, occupied);
        JsonIo.send(res, Status.ACCEPTED_202, Map.of("spotId", spotId, "occupied", occupied));
    }

    private void loop(ServerRequest req, ServerResponse res, boolean arming) {
        String laneId = laneId(req);
        boolean present = JsonIo.requiredBoolean(JsonIo.body(req), "present");
        if (arming) {
            sim.setArmingLoop(laneId, present);
        } else {
            sim.setSafetyLoop(laneId, present);
        }
        JsonIo.send(res, Status.ACCEPTED_202, Map.of("laneId", laneId, "loop", arming ? "arming" : "safety",
                "present", present));
    }

    private void fault(ServerRequest req, ServerResponse res) {
        String laneId = laneId(req);
        ObjectNode body = JsonIo.body(req);
        String reason = JsonIo.optionalText(body, "reason");
        sim.injectBarrierFault(laneId, reason == null ? "simulated fault" : reason);
        JsonIo.send(res, Status.ACCEPTED_202, Map.of("laneId", laneId, "fault", true));
    }

    private void printerFault(ServerRequest req, ServerResponse res) {
        String laneId = laneId(req);
        String reason = JsonIo.optionalText(JsonIo.body(req), "reason");
        sim.injectPrinterFault(laneId, reason == null ? "paper out" : reason);
        JsonIo.send(res, Status.ACCEPTED_202, Map.of("laneId", laneId, "printerFault", true));
    }

    private void clearPrinterFault(ServerRequest req, ServerResponse res) {
        String laneId = laneId(req);
        sim.injectPrinterFault(laneId, null);
        JsonIo.send(res, Status.ACCEPTED_202, Map.of("laneId", laneId, "printerFault", false));
    }

    private String laneId(ServerRequest req) {
        String laneId = req.path().pathParameters().get("laneId");
        if (!laneIds.contains(laneId)) {
            throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_LANE", "no lane " + laneId + " on this level");
        }
        return laneId;
    }
}
