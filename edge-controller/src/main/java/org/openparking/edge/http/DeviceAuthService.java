package org.openparking.edge.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;

/**
 * In {@code auth.mode: token}, the calls that move cars or money (entries, exits, pay-station payments)
 * need the calling device's key in {@code X-Device-Key}, and the reads that reveal plates (sessions) a device
 * key or an operator token of this lot. Registered before the services it guards.
 */
final class DeviceAuthService implements HttpService {
    private final Credentials credentials;

    DeviceAuthService(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/lanes/{laneId}/entries", this::device)
                .post("/lanes/{laneId}/exits", this::device)
                .post("/lanes/{laneId}/plate-reads", this::device)
                .post("/pay-station/payments", this::device)
                .post("/validations", this::device)
                .get("/sessions", this::deviceOrOperator)
                .get("/sessions/{id}", this::deviceOrOperator);
    }

    private void device(ServerRequest req, ServerResponse res) {
        if (!credentials.hasDeviceKey(req)) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED", "a lane terminal's device key is required");
        }
        res.next();
    }

    private void deviceOrOperator(ServerRequest req, ServerResponse res) {
        if (credentials.hasDeviceKey(req)) {
            res.next();
            return;
        }
        if (!credentials.hasBearer(req)) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED",
                    "sessions show plates: a device key or an operator token is required");
        }
        credentials.operator(req, "viewer");
        res.next();
    }
}
