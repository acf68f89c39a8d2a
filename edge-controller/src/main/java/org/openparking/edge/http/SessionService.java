package org.openparking.edge.http;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Locale;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.payment.Payment;
import org.openparking.edge.discount.Discounts;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.session.Session;
import org.openparking.platform.json.JsonBodies;

/** Sessions, quotes and the pay station. */
final class SessionService implements HttpService {
    private static final int MAX_LIMIT = 1000;

    private final ParkingService parking;

    SessionService(ParkingService parking) {
        this.parking = parking;
    }

    /** {@code GET /sessions/{id}}: the session's fields, then its payments. */
    record SessionDetail(@JsonUnwrapped Session session, List<Payment> payments) {
    }

    /** {@code POST /pay-station/payments}. */
    record PayStationRequest(String ticket, String paymentMethod) {
        static final PayStationRequest NONE = new PayStationRequest(null, null);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/sessions", this::list)
                .get("/sessions/{id}", this::one)
                .get("/quote", this::quote)
                .post("/validations", this::validate)
                .post("/pay-station/payments", this::payStation);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Session.Status status = req.query().first("status").asOptional().map(s -> {
            try {
                return Session.Status.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ParkingException(Kind.BAD_REQUEST, "INVALID_QUERY", "status must be OPEN or CLOSED");
            }
        }).orElse(null);
        int limit = Requests.limit(req, MAX_LIMIT, 100);
        res.send(parking.sessions(status, limit));
    }

    private void one(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Session s = parking.session(id).orElseThrow(() ->
                new ParkingException(Kind.NOT_FOUND, "UNKNOWN_SESSION", "no session " + id + " on this level"));
        res.send(new SessionDetail(s, parking.paymentsOf(id)));
    }

    private void quote(ServerRequest req, ServerResponse res) {
        String ticket = req.query().first("ticket").asOptional().orElseThrow(() ->
                new ParkingException(Kind.BAD_REQUEST, "TICKET_REQUIRED", "query parameter ticket is required"));
        res.send(parking.quote(ticket, new Discounts.Presented(req.query().first("validation").orElse(null),
                req.query().first("coupon").orElse(null))));
    }

    /** {@code POST /validations}: a merchant's validation terminal stamps a ticket. */
    record ValidationRequest(String ticket, String validatorId) {
        static final ValidationRequest NONE = new ValidationRequest(null, null);
    }

    record ValidationResponse(String validation) {
    }

    private void validate(ServerRequest req, ServerResponse res) {
        ValidationRequest body = JsonBodies.read(req, ValidationRequest.class, () -> ValidationRequest.NONE);
        res.status(io.helidon.http.Status.CREATED_201).send(new ValidationResponse(
                parking.validate(body.ticket(), body.validatorId())));
    }

    private void payStation(ServerRequest req, ServerResponse res) {
        PayStationRequest body = JsonBodies.read(req, PayStationRequest.class, () -> PayStationRequest.NONE);
        res.send(parking.payAtStation(body.ticket(), body.paymentMethod()));
    }
}
