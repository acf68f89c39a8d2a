package org.openparking.edge.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.session.Session;

/** Sessions, quotes and the pay station. */
final class SessionService implements HttpService {
    private static final int MAX_LIMIT = 1000;

    private final ParkingService parking;

    SessionService(ParkingService parking) {
        this.parking = parking;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/sessions", this::list)
                .get("/sessions/{id}", this::one)
                .get("/quote", this::quote)
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
        int limit = JsonIo.limit(req, MAX_LIMIT, 100);
        JsonIo.ok(res, parking.sessions(status, limit));
    }

    private void one(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Session s = parking.session(id).orElseThrow(() ->
                new ParkingException(Kind.NOT_FOUND, "UNKNOWN_SESSION", "no session " + id + " on this level"));
        Map<String, Object> out = JsonIo.MAPPER.convertValue(s, Map.class);
        out = new LinkedHashMap<>(out);
        out.put("payments", parking.paymentsOf(id));
        JsonIo.ok(res, out);
    }

    private void quote(ServerRequest req, ServerResponse res) {
        String ticket = req.query().first("ticket").asOptional().orElseThrow(() ->
                new ParkingException(Kind.BAD_REQUEST, "TICKET_REQUIRED", "query parameter ticket is required"));
        JsonIo.ok(res, parking.quote(ticket));
    }

    private void payStation(ServerRequest req, ServerResponse res) {
        ObjectNode body = JsonIo.body(req);
        JsonIo.ok(res, parking.payAtStation(JsonIo.requiredText(body, "ticket"),
                JsonIo.optionalText(body, "paymentMethod")));
    }
}
