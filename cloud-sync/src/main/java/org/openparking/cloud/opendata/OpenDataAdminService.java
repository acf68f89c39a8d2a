package org.openparking.cloud.opendata;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.platform.json.JsonBodies;

/**
 * An operator's open-data settings of a lot, under {@code /api/v1} behind the gateway: the lot's tenant check
 * (another operator's lot is a 404) is the gateway's {@code LOT} scope, and every change is audited
 * ({@code open-data.update}) in its own transaction.
 */
public final class OpenDataAdminService implements HttpService {
    private final SiteStore sites;

    public OpenDataAdminService(SiteStore sites) {
        this.sites = sites;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/lots/{lotId}/open-data", this::get)
                .put("/lots/{lotId}/open-data", this::put);
    }

    /** The stored settings, as the API answers them. */
    record SiteView(String lotId, long version, Instant updatedAt, SiteData site) {
        static SiteView of(SiteStore.Stored s) {
            return new SiteView(s.lotId(), s.version(), s.updatedAt(), s.site());
        }
    }

    private void get(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = req.path().pathParameters().get("lotId");
        res.send(SiteView.of(sites.get(lotId).orElseThrow(() -> CloudException.notFound("NOT_FOUND",
                "lot " + lotId + " has no open-data settings"))));
    }

    private void put(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = req.path().pathParameters().get("lotId");
        SiteData site = JsonBodies.read(req, SiteData.class, null);
        res.send(SiteView.of(sites.put(lotId, site, AuthFilter.caller(req))));
    }
}
