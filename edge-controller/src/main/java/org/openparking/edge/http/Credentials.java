package org.openparking.edge.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.auth.DeviceKeys;
import org.openparking.edge.auth.OperatorTokens;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.realtime.StreamAccess;

/**
 * Who a request in token mode speaks for: an operator token, checked against the key the cloud pushed, the
 * role and the lot's operator ({@code edge.operator-id}), or a device key. One place, so the admin endpoints
 * and the plate-revealing reads apply the same rules.
 */
final class Credentials {
    static final String DEVICE_KEY = "X-Device-Key";

    private final EdgeSettings.Auth auth;
    private final OperatorTokens tokens;
    private final DeviceKeys devices;

    Credentials(EdgeSettings.Auth auth, OperatorTokens tokens) {
        this.auth = auth;
        this.tokens = tokens;
        this.devices = new DeviceKeys(auth.deviceKeyHashes());
    }

    boolean open() {
        return auth.mode() == EdgeSettings.Auth.Mode.OPEN;
    }

    boolean hasBearer(ServerRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION).orElse("").regionMatches(true, 0, "Bearer ", 0, 7);
    }

    boolean hasDeviceKey(ServerRequest req) {
        return devices.accepts(req.headers().first(HeaderNames.create(DEVICE_KEY)).orElse(null));
    }

    /**
     * The operator the request's token names, if it may act on this lot with {@code role}: 401 without a valid
     * token, 403 for a weaker role or another operator's token. A token without an operator claim is a
     * platform user's, who acts on every lot (as in cloud-sync).
     */
    OperatorTokens.Operator operator(ServerRequest req, String role) {
        if (!hasBearer(req)) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED", "an operator token is required");
        }
        if (!tokens.hasKeys()) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED",
                    "this edge has not received an operator key from the cloud yet");
        }
        OperatorTokens.Operator operator;
        try {
            operator = tokens.verify(req.headers().first(HeaderNames.AUTHORIZATION).orElseThrow().substring(7).trim());
        } catch (OperatorTokens.TokenException e) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED", e.getMessage());
        }
        if (!operator.has(role)) {
            throw new ParkingException(Kind.FORBIDDEN, "FORBIDDEN", "the " + role + " role is required");
        }
        if (!operator.platform() && !operator.operatorId().equals(auth.operatorId())) {
            throw new ParkingException(Kind.FORBIDDEN, "FORBIDDEN", "the token's operator does not own this lot"
                    + (auth.operatorId().isEmpty() ? " (edge.operator-id is not set: platform users only)" : ""));
        }
        return operator;
    }

    /**
     * The live stream's viewer in token mode: a device key sees lanes for as long as it is connected; an operator
     * token (viewer or stronger, of this lot) sees lanes until it expires, and is verified again every heartbeat
     * so that a replaced or revoked key ends the stream; no credential sees the public counts only. A credential
     * that is present and refused is 401/403, never a silent downgrade.
     */
    StreamAccess.Viewer streamViewer(ServerRequest req) {
        if (hasDeviceKey(req)) {
            return StreamAccess.Viewer.unlimited(true);
        }
        if (req.headers().contains(HeaderNames.create(DEVICE_KEY))) {
            throw new ParkingException(Kind.UNAUTHORIZED, "UNAUTHORIZED", "the device key is not one of this level's");
        }
        if (!hasBearer(req)) {
            return StreamAccess.Viewer.unlimited(false);
        }
        OperatorTokens.Operator operator = operator(req, "viewer");
        String token = req.headers().first(HeaderNames.AUTHORIZATION).orElseThrow().substring(7).trim();
        return new StreamAccess.Viewer(true, operator.expiresAt(), () -> {
            try {
                tokens.verify(token);
                return null;
            } catch (OperatorTokens.TokenException e) {
                return e.getMessage();
            }
        });
    }
}
