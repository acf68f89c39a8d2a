package org.openparking.cloud.http;

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

    /** {@code POST /sessions/{id}/refund}: {@code amount} null refunds all that is left. */
    record RefundRequest(Long amount, String reason) {
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
                Http.visibleLots(req));
        res.send(fleet.sessions(filter));
    }

    private void one(ServerRequest req, ServerResponse res) throws Exception {
        String id = Http.path(req, "id");
        FleetViews.Session session = fleet.session(id)
                .orElseThrow(() -> CloudException.notFound("SESSION_NOT_FOUND", "no session " + id));
        res.send(new SessionDetail(session,
                payments.payments(new PaymentViews.PaymentFilter(null, id, null, 1000, null)),
                payments.refundsOfSession(id)));
    }

    private void refund(ServerRequest req, ServerResponse res) throws Exception {
        RefundRequest body = Http.body(req, RefundRequest.class);
        RefundService.Requested r = refunds.requestRefund(Http.path(req, "id"), body.amount(), body.reason(),
                Http.caller(req));
        res.status(Status.ACCEPTED_202).send(r);
    }
}
