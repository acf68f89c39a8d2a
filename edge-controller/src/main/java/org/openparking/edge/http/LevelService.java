package org.openparking.edge.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.lane.LaneController;
import org.openparking.edge.lane.PlateReads;
import org.openparking.firmware.PlateRead;
import org.openparking.firmware.PlateRecognizerPush;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.DriftLog;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.RampCounter;
import org.openparking.edge.occupancy.SpotTracker;
import org.openparking.edge.discount.Discounts;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.tariff.LineItem;
import org.openparking.platform.json.JsonBodies;
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

    private final Map<String, PlateRecognizerPush> cameras = new java.util.concurrent.ConcurrentHashMap<>();
    private final PlateReads plateReads;
    private final double readerThreshold;
    private final ParkingService parking;

    LevelService(LevelAvailability board, SpotTracker spots, Map<String, LaneController> lanes, RampCounter ramps,
                 DriftLog drift, PlateReads plateReads, double readerThreshold, ParkingService parking) {
        this.plateReads = plateReads;
        this.readerThreshold = readerThreshold;
        this.parking = parking;
        this.board = board;
        this.spots = spots;
        this.lanes = lanes;
        this.ramps = ramps;
        this.drift = drift;
    }

    /** {@code POST /lanes/{laneId}/entries}; {@code vehicleType} is read case-insensitively. */
    record EntryRequest(String plate, String vehicleType, String card, String reservationCode) {
        static final EntryRequest NONE = new EntryRequest(null, null, null, null);
    }

    record EntryResponse(String sessionId, String ticket, Instant entryTime, String gate, boolean printed,
                         VehicleType vehicleType, VehicleType spotType) {
    }

    /** {@code POST /lanes/{laneId}/exits}: a ticket, or {@code lostTicket} with the plate if known. */
    record ExitRequest(String ticket, String paymentMethod, Boolean lostTicket, String plate, String validation,
                       String coupon, Boolean ticketless) {
        static final ExitRequest NONE = new ExitRequest(null, null, null, null, null, null, null);
    }

    /** What a plate read posted by a camera became. */
    record PlateReadAccepted(String laneId, String plate, double confidence, double threshold, boolean confident,
                             Boolean vehiclePresent, Instant at) {
    }

    /** {@code lineItems} (issue 19, additive): what applied and what did not; they sum to {@code fee.amount}. */
    record ExitResponse(String sessionId, Fee fee, Payment payment, String gate,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String message, List<LineItem> lineItems) {
    }

    record Fee(long amount, String currency) {
    }

    record Payment(PaymentStatus status, @JsonInclude(JsonInclude.Include.NON_NULL) String paymentId) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/availability", this::availability)
                .get("/spots", (req, res) -> res.send(spots.spots()))
                .get("/ramps", (req, res) -> res.send(ramps.ramps()))
                .get("/drift", this::drift)
                .get("/lanes", (req, res) -> res.send(lanes.values().stream().map(LaneController::view).toList()))
                .post("/lanes/{laneId}/entries", this::entry)
                .post("/lanes/{laneId}/exits", this::exit)
                .post("/lanes/{laneId}/plate-reads", this::plateRead)
                .get("/lane-rules", (req, res) -> res.send(parking.rulesState()));
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
        res.send(a);
    }

    /** The newest drift events, {@code ?limit=} 1-500 (50). */
    private void drift(ServerRequest req, ServerResponse res) {
        int limit = Requests.limit(req, MAX_DRIFT, 50);
        res.send(drift.recent(limit));
    }

    private void entry(ServerRequest req, ServerResponse res) {
        LaneController lane = lane(req);
        EntryRequest body = JsonBodies.read(req, EntryRequest.class, () -> EntryRequest.NONE);
        LaneController.Entry e = lane.enterWith(new ParkingService.Credentials(body.plate(), body.card(),
                body.reservationCode()), Requests.optionalEnum("vehicleType", body.vehicleType(), VehicleType.class));
        res.status(Status.CREATED_201).send(new EntryResponse(e.admission().session().sessionId(),
                e.admission().ticket(), e.admission().session().entryTime(), e.gate().name(), e.printed(),
                e.admission().session().vehicleType(), e.admission().session().spotType()));
    }

    private void exit(ServerRequest req, ServerResponse res) {
        LaneController lane = lane(req);
        ExitRequest body = JsonBodies.read(req, ExitRequest.class, () -> ExitRequest.NONE);
        LaneController.Exit x = Boolean.TRUE.equals(body.ticketless()) ? lane.exitTicketless()
                : Boolean.TRUE.equals(body.lostTicket())
                ? lane.exitLostTicket(body.plate(), body.paymentMethod())
                : lane.exit(body.ticket(), body.paymentMethod(),
                        new Discounts.Presented(body.validation(), body.coupon()));
        ParkingService.Departure d = x.departure();
        res.status(d.paymentStatus() == PaymentStatus.PENDING ? Status.ACCEPTED_202 : Status.OK_200)
                .send(new ExitResponse(d.sessionId(), new Fee(d.fee(), d.currency()),
                        new Payment(d.paymentStatus(), d.paymentId()), d.gateOpens() ? x.gate().name() : "CLOSED",
                        d.message(), d.lineItems()));
    }

    /**
     * A lane camera's webhook (Plate Recognizer's JSON, {@link PlateRecognizerPush}): the read becomes the lane's
     * newest, with the edge's {@code plate-reader.threshold}. A body of another format is 400 INVALID_PLATE_READ.
     */
    private void plateRead(ServerRequest req, ServerResponse res) {
        LaneController lane = lane(req);
        byte[] body = req.content().as(byte[].class);
        PlateRecognizerPush camera = cameras.computeIfAbsent(lane.laneId(), id -> {
            PlateRecognizerPush push = new PlateRecognizerPush(id, readerThreshold, java.time.Clock.systemUTC());
            plateReads.listenTo(push);
            return push;
        });
        PlateRead read;
        try {
            read = camera.accept(body);
        } catch (IllegalArgumentException e) {
            throw new ParkingException(Kind.BAD_REQUEST, "INVALID_PLATE_READ", e.getMessage());
        }
        res.status(Status.ACCEPTED_202).send(new PlateReadAccepted(read.laneId(), read.plate(), read.confidence(),
                read.threshold(), read.confident(), read.vehiclePresent(), read.at()));
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
