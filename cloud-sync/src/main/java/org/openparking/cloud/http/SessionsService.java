package org.openparking.cloud.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.fleet.FleetQueries;
import org.openparking.cloud.fleet.FleetViews;
import org.openparking.cloud.payments.PaymentQueries;
import org.openparking.cloud.payments.PaymentViews;
import org.openparking.cloud.payments.RefundService;

/** Sessions across the fleet, one session with its payments and refunds, and refund requests. */
public final class SessionsService implements HttpService {
    private final FleetQueries fleet;
    private final PaymentQueries payments;
    private final RefundService refunds;

    public SessionsService(FleetQueries fleet, PaymentQueries payments, RefundService refunds) {
        this.fleet = fleet;
        this.payments = payments;
        this.refunds = refunds;
    }

    /** One session with what was paid and refunded for it. */
    public record SessionDetail(FleetViews.Session session, List<PaymentViews.Payment> payments,
                                List<PaymentViews.Refund> refunds) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/sessions", this::list)
                .get("/sessions/{id}", this::one)
                .post("/sessions/{id}/refund", this::refund);
    }

    private void list(ServerRequest req, ServerResponse res) throws Exception {
        FleetViews.SessionFilter filter = new FleetViews.SessionFilter(Http.query(req, "lot").orElse(null),
                Http.query(req, "plate").orElse(null), Http.query(req, "status").orElse(null),
                Http.instantParam(req, "from"), Http.instantParam(req, "to"), Http.limitParam(req),
                Http.visibleLots());
        Http.ok(res, fleet.sessions(filter));
    }

    private void one(ServerRequest req, ServerResponse res) throws Exception {
        String id = Http.path(req, "id");
        FleetViews.Session session = fleet.session(id)
                .orElseThrow(() -> CloudException.notFound("SESSION_NOT_FOUND", "no session " + id));
        Http.ok(res, new SessionDetail(session,
                payments.payments(new PaymentViews.PaymentFilter(null, id, null, 1000, null)),
                payments.refundsOfSession(id)));
    }

    private void refund(ServerRequest req, ServerResponse res) throws Exception {
        JsonNode body = Http.body(req);
        Long amount = null;
        JsonNode amountNode = body.get("amount");
        if (amountNode != null && !amountNode.isNull()) {
            if (!amountNode.canConvertToLong() || !amountNode.isIntegralNumber()) {
                throw CloudException.invalid("amount must be an integer in the currency's minor unit");
            }
            amount = amountNode.asLong();
        }
        RefundService.Requested r = refunds.requestRefund(Http.path(req, "id"), amount,
                Http.text(body, "reason").orElse(null), Http.operator(req));
        Http.json(res, Status.ACCEPTED_202, r);
    }
}
