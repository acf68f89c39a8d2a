package org.openparking.edge.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import org.openparking.edge.config.EdgeSettings;

/** {@code GET /site}: the lot's and level's ids, the names people use for them, and the lot's time zone. */
final class SiteService implements HttpService {
    private final EdgeSettings.Site site;

    SiteService(EdgeSettings.Site site) {
        this.site = site;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/site", (req, res) -> res.send(site));
    }
}
