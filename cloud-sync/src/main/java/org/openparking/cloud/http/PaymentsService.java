package org.openparking.cloud.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.LongSupplier;
import org.openparking.cloud.ingest.IngestStats;
import org.openparking.cloud.payments.PaymentQueries;
import org.openparking.cloud.payments.PaymentViews;

/** Payments, the unable-to-collect ledger, and the dead-letter count. */
public final class PaymentsService implements HttpService {
    private final PaymentQueries payments;
    private final IngestStats stats;
    private final LongSupplier deadQueueDepth;

    public PaymentsService(PaymentQueries payments, IngestStats stats, LongSupplier deadQueueDepth) {
        this.payments = payments;
        this.stats = stats;
        this.deadQueueDepth = deadQueueDepth;
    }

    /** {@code queued}: messages now in {@code parking.dead} (-1 if the broker cannot be asked). */
    public record DeadLetters(long queued, long deadLetteredByThisInstance) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/payments", this::list)
                .get("/unable-to-collect", this::ledger)
                .get("/dead-letters", this::deadLetters);
    }

    private void list(ServerRequest req, ServerResponse res) throws Exception {
        res.send(payments.payments(new PaymentViews.PaymentFilter(Http.query(req, "lot").orElse(null),
                Http.query(req, "session").orElse(null), Http.query(req, "outcome").orElse(null),
                Http.limitParam(req), Http.visibleLots(req))));
    }

    private void ledger(ServerRequest req, ServerResponse res) throws Exception {
        res.send(payments.unableToCollect(new PaymentViews.LedgerFilter(Http.query(req, "lot").orElse(null),
                Http.query(req, "plate").orElse(null), Http.instantParam(req, "from"), Http.instantParam(req, "to"),
                Http.limitParam(req), Http.visibleLots(req))));
    }

    private void deadLetters(ServerRequest req, ServerResponse res) {
        res.send(new DeadLetters(deadQueueDepth.getAsLong(), stats.deadLetteredCount()));
    }
}
