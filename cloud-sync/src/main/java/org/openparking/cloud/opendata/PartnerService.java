package org.openparking.cloud.opendata;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.platform.json.JsonBodies;

/**
 * Partner webhooks under {@code /api/v1}: an operator registers a partner's endpoint for lots of its own tenant
 * (another tenant's lot is a 404, as if it did not exist) and sees its partners' delivery status.
 */
public final class PartnerService implements HttpService {
    private final PartnerStore partners;

    public PartnerService(PartnerStore partners) {
        this.partners = partners;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/partners", this::register)
                .get("/partners", this::list);
    }

    /** The list answer. */
    record Partners(java.util.List<PartnerStore.Status> partners) {
    }

    private void register(ServerRequest req, ServerResponse res) throws Exception {
        PartnerStore.Registration r = JsonBodies.read(req, PartnerStore.Registration.class, null);
        PartnerStore.Registered registered = partners.register(r, AuthFilter.caller(req));
        res.status(Status.CREATED_201);
        res.send(registered);
    }

    private void list(ServerRequest req, ServerResponse res) throws Exception {
        res.send(new Partners(partners.list(AuthFilter.caller(req))));
    }
}
