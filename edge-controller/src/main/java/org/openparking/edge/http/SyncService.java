package org.openparking.edge.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import org.openparking.edge.sync.SyncState;

/** {@code GET /sync}: the cloud link's state and the outbox backlog, for operators and probes. */
final class SyncService implements HttpService {
    private final SyncState sync;

    SyncService(SyncState sync) {
        this.sync = sync;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/sync", (req, res) -> res.send(sync.status()));
    }
}
