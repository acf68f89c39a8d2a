package org.openparking.edge.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.auth.DeviceKeys;

/**
 * In {@code auth.mode: token}, the calls that move cars or money (entries, exits, pay-station payments)
 * need the calling device's key in {@code X-Device-Key}. Registered before the services it guards.
 */
final class DeviceAuthService implements HttpService {
    static final String HEADER = "X-Device-Key";

    private final DeviceKeys keys;

    DeviceAuthService(DeviceKeys keys) {
        this.keys = keys;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/lanes/{laneId}/entries", this::check)
                .post("/lanes/{laneId}/exits", this::check)
                .post("/pay-station/payments", this::check);
    }

    private void check(ServerRequest req, ServerResponse res) {
        if (!keys.accepts(req.headers().first(io.helidon.http.HeaderNames.create(HEADER)).orElse(null))) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED", "a lane terminal's device key is required");
        }
        res.next();
    }
}
