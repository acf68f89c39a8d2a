package org.openparking.cloud.audit;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.auth.AuthFilter;

/** {@code GET /audit}: the audit log, newest first, scoped to the caller's lots. */
public final class AuditService implements HttpService {
    private final AuditLog log;

    public AuditService(AuditLog log) {
        this.log = log;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/audit", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) throws Exception {
        int limit;
        try {
            limit = Integer.parseInt(req.query().first("limit").orElse("100"));
        } catch (NumberFormatException e) {
            throw CloudException.invalid("limit must be a number");
        }
        if (limit < 1 || limit > 1000) {
            throw CloudException.invalid("limit must be between 1 and 1000");
        }
        res.send(log.list(AuthFilter.caller(req),
                req.query().first("lot").asOptional().filter(s -> !s.isBlank()).orElse(null),
                req.query().first("action").asOptional().filter(s -> !s.isBlank()).orElse(null), limit));
    }
}
