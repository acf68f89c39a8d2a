package org.openparking.cloud.lanes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.auth.AuthFilter;
import org.openparking.platform.json.JsonBodies;
import org.openparking.protocol.Json;
import org.openparking.protocol.UpdateLaneRules;

/**
 * A lot's lane rules under {@code /api/v1} behind the gateway: the lot's tenant check (another operator's lot is a
 * 404) is the gateway's {@code LOT} scope; writes need the operator role, are audited and push the lot's snapshot
 * to every level ({@link LaneRulesStore}). A body the rules refuse is 400 {@code INVALID_REQUEST} naming why.
 * The POSTs are upserts: an optional field the body leaves out keeps the stored value (a re-saved permit keeps
 * its suspension), null clears it, and a new item takes the default.
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
        ObjectNode body = JsonBodies.read(req, ObjectNode.class, null);
        PermitRequest b = Json.strictMapper().treeToValue(body, PermitRequest.class);
        String permitId = b.permitId() == null ? "permit-" + UUID.randomUUID() : b.permitId();
        send(res, store.putPermit(lot(req), permitId, stored -> valid(() -> new UpdateLaneRules.Permit(permitId,
                given(body, "plate", b.plate(), stored, UpdateLaneRules.Permit::plate),
                given(body, "card", b.card(), stored, UpdateLaneRules.Permit::card),
                given(body, "validFrom", b.validFrom(), stored, UpdateLaneRules.Permit::validFrom),
                given(body, "validUntil", b.validUntil(), stored, UpdateLaneRules.Permit::validUntil),
                given(body, "window", b.window(), stored, UpdateLaneRules.Permit::window),
                given(body, "levels", b.levels(), stored, UpdateLaneRules.Permit::levels),
                given(body, "poolId", b.poolId(), stored, UpdateLaneRules.Permit::poolId),
                flag(body, "suspended", b.suspended(), stored, UpdateLaneRules.Permit::suspended))),
                AuthFilter.caller(req)));
    }

    private void suspend(ServerRequest req, ServerResponse res) throws Exception {
        SuspendRequest b = JsonBodies.read(req, SuspendRequest.class, null);
        boolean suspended = b.suspended() == null || b.suspended();
        res.send(store.suspend(lot(req), req.path().pathParameters().get("permitId"), suspended, b.reason(),
                AuthFilter.caller(req)));
    }

    private void putPool(ServerRequest req, ServerResponse res) throws Exception {
        ObjectNode body = JsonBodies.read(req, ObjectNode.class, null);
        PoolRequest b = Json.strictMapper().treeToValue(body, PoolRequest.class);
        if (b.max() == null) {
            throw CloudException.invalid("max (the most cars of the pool inside at once) is required");
        }
        send(res, store.putPool(lot(req), b.poolId(), stored -> valid(() -> new UpdateLaneRules.Pool(b.poolId(),
                b.max(), given(body, "levelShares", b.levelShares(), stored, UpdateLaneRules.Pool::levelShares))),
                AuthFilter.caller(req)));
    }

    private void putReservation(ServerRequest req, ServerResponse res) throws Exception {
        ObjectNode body = JsonBodies.read(req, ObjectNode.class, null);
        ReservationRequest b = Json.strictMapper().treeToValue(body, ReservationRequest.class);
        if (b.code() != null) {
            throw CloudException.invalid("code is issued by the cloud (a signed code in the answer), not sent");
        }
        String reservationId = b.reservationId() == null ? "res-" + UUID.randomUUID() : b.reservationId();
        // The placeholder code only passes the record's "plate or code" rule; the store signs the real one.
        send(res, store.putReservation(lot(req), reservationId, stored -> valid(() -> new UpdateLaneRules.Reservation(
                reservationId, given(body, "plate", b.plate(), stored, UpdateLaneRules.Reservation::plate), "unsigned",
                b.from(), b.until(), given(body, "levelId", b.levelId(), stored, UpdateLaneRules.Reservation::levelId),
                flag(body, "prepaid", b.prepaid(), stored, UpdateLaneRules.Reservation::prepaid))),
                AuthFilter.caller(req)));
    }

    /**
     * An upsert's field: what the body gives when it names the field (null included, which clears it), else the
     * stored value, so a save that leaves a field out changes nothing of it; a new item ({@code stored} null) takes
     * the record's default.
     */
    private static <S, V> V given(ObjectNode body, String field, V value, S stored, Function<S, V> current) {
        return body.has(field) || stored == null ? value : current.apply(stored);
    }

    /** A true/false field of an upsert: as {@link #given}, a new item defaults to false, and null is refused. */
    private static <S> boolean flag(ObjectNode body, String field, Boolean value, S stored, Predicate<S> current) {
        if (!body.has(field)) {
            return stored != null && current.test(stored);
        }
        if (value == null) {
            throw CloudException.invalid(field + " must be true or false (leave it out to keep the stored value)");
        }
        return value;
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
