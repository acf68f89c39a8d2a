package org.openparking.cloud.lanes;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.platform.json.JsonBodies;
import org.openparking.protocol.UpdateLaneRules;

/**
 * A lot's lane rules under {@code /api/v1} behind the gateway: the lot's tenant check (another operator's lot is a
 * 404) is the gateway's {@code LOT} scope; writes need the operator role, are audited and push the lot's snapshot
 * to every level ({@link LaneRulesStore}). A body the rules refuse is 400 {@code INVALID_REQUEST} naming why.
 */
public final class LaneRulesService implements HttpService {
    private final LaneRulesStore store;

    public LaneRulesService(LaneRulesStore store) {
        this.store = store;
    }

    record PermitRequest(String permitId, String plate, String card, Instant validFrom, Instant validUntil,
                         UpdateLaneRules.Window window, List<String> levels, String poolId, Boolean suspended) {
    }

    record SuspendRequest(Boolean suspended, String reason) {
    }

    record PoolRequest(String poolId, Integer max, Map<String, Integer> levelShares) {
    }

    record ReservationRequest(String reservationId, String plate, String code, Instant from, Instant until,
                              String levelId, Boolean prepaid) {
    }

    record AccountRequest(String plate, String paymentMethod) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/lots/{lotId}/permits", (req, res) -> res.send(store.permits(lot(req))))
                .post("/lots/{lotId}/permits", this::putPermit)
                .post("/lots/{lotId}/permits/{permitId}/suspend", this::suspend)
                .get("/lots/{lotId}/pools", (req, res) -> res.send(store.pools(lot(req))))
                .post("/lots/{lotId}/pools", this::putPool)
                .get("/lots/{lotId}/reservations", (req, res) -> res.send(store.reservations(lot(req))))
                .post("/lots/{lotId}/reservations", this::putReservation)
                .post("/lots/{lotId}/reservation-keys/rotate",
                        (req, res) -> send(res, store.rotateReservationKey(lot(req), AuthFilter.caller(req))))
                .get("/lots/{lotId}/accounts", (req, res) -> res.send(store.accounts(lot(req))))
                .post("/lots/{lotId}/accounts", this::putAccount);
    }

    private void putPermit(ServerRequest req, ServerResponse res) throws Exception {
        PermitRequest b = JsonBodies.read(req, PermitRequest.class, null);
        UpdateLaneRules.Permit permit = valid(() -> new UpdateLaneRules.Permit(
                b.permitId() == null ? "permit-" + UUID.randomUUID() : b.permitId(), b.plate(), b.card(),
                b.validFrom(), b.validUntil(), b.window(), b.levels(), b.poolId(), Boolean.TRUE.equals(b.suspended())));
        send(res, store.putPermit(lot(req), permit, AuthFilter.caller(req)));
    }

    private void suspend(ServerRequest req, ServerResponse res) throws Exception {
        SuspendRequest b = JsonBodies.read(req, SuspendRequest.class, null);
        boolean suspended = b.suspended() == null || b.suspended();
        res.send(store.suspend(lot(req), req.path().pathParameters().get("permitId"), suspended, b.reason(),
                AuthFilter.caller(req)));
    }

    private void putPool(ServerRequest req, ServerResponse res) throws Exception {
        PoolRequest b = JsonBodies.read(req, PoolRequest.class, null);
        if (b.max() == null) {
            throw CloudException.invalid("max (the most cars of the pool inside at once) is required");
        }
        UpdateLaneRules.Pool pool = valid(() -> new UpdateLaneRules.Pool(b.poolId(), b.max(), b.levelShares()));
        send(res, store.putPool(lot(req), pool, AuthFilter.caller(req)));
    }

    private void putReservation(ServerRequest req, ServerResponse res) throws Exception {
        ReservationRequest b = JsonBodies.read(req, ReservationRequest.class, null);
        if (b.code() != null) {
            throw CloudException.invalid("code is issued by the cloud (a signed code in the answer), not sent");
        }
        // The placeholder code only passes the record's "plate or code" rule; the store signs the real one.
        UpdateLaneRules.Reservation r = valid(() -> new UpdateLaneRules.Reservation(
                b.reservationId() == null ? "res-" + UUID.randomUUID() : b.reservationId(), b.plate(), "unsigned",
                b.from(), b.until(), b.levelId(), Boolean.TRUE.equals(b.prepaid())));
        send(res, store.putReservation(lot(req), r, AuthFilter.caller(req)));
    }

    private void putAccount(ServerRequest req, ServerResponse res) throws Exception {
        AccountRequest b = JsonBodies.read(req, AccountRequest.class, null);
        UpdateLaneRules.Account a = valid(() -> new UpdateLaneRules.Account(b.plate(), b.paymentMethod()));
        send(res, store.putAccount(lot(req), a, AuthFilter.caller(req)));
    }

    private static void send(ServerResponse res, LaneRulesStore.Saved<?> saved) {
        res.status(saved.created() ? Status.CREATED_201 : Status.OK_200).send(saved);
    }

    private static String lot(ServerRequest req) {
        String lotId = req.path().pathParameters().get("lotId");
        if (lotId == null || !lotId.matches("[A-Za-z0-9_-]{1,200}")) {
            throw CloudException.invalid("lotId must be letters, digits, '-' or '_', was " + lotId);
        }
        return lotId;
    }

    private interface Build<T> {
        T build();
    }

    private static <T> T valid(Build<T> build) {
        try {
            return build.build();
        } catch (IllegalArgumentException e) {
            throw CloudException.invalid(e.getMessage());
        }
    }
}
