package org.openparking.cloud.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.command.CommandService;
import org.openparking.cloud.discount.DiscountService;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.UpdateDiscounts;

/** Commands to edges: tariffs, validators and coupons per lot (with the bill-back), level open/close, remote barrier opening. */
public final class CommandsService implements HttpService {
    private final CommandService commands;
    private final DiscountService discounts;

    public CommandsService(CommandService commands) {
        this(commands, null);
    }

    public CommandsService(CommandService commands, DiscountService discounts) {
        this.commands = commands;
        this.discounts = discounts;
    }

    /** {@code POST /levels/{lotId}/{levelId}/status}. */
    record LevelStatusRequest(Boolean closed, String reason) {
    }

    /** {@code POST /lots/{lotId}/coupons}: the uses on other levels are the cloud's to count, not the caller's. */
    record CouponRequest(String code, UpdateDiscounts.Kind kind, long value, int maxUses, java.time.Instant validFrom,
                         java.time.Instant validUntil) {
    }

    /** {@code POST /lanes/{lotId}/{levelId}/{laneId}/open}. */
    record OpenRequest(String reason) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.put("/lots/{lotId}/tariff", this::putTariff)
                .get("/lots/{lotId}/tariff", this::getTariff)
                .post("/lots/{lotId}/validators", this::createValidator)
                .get("/lots/{lotId}/validators", (req, res) -> res.send(discounts.validators(Http.path(req, "lotId"))))
                .post("/lots/{lotId}/coupons", this::createCoupon)
                .get("/lots/{lotId}/coupons", (req, res) -> res.send(discounts.coupons(Http.path(req, "lotId"))))
                .get("/lots/{lotId}/validations/bill-back", this::billBack)
                .post("/levels/{lotId}/{levelId}/status", this::levelStatus)
                .post("/lanes/{lotId}/{levelId}/{laneId}/open", this::openBarrier);
    }

    private void putTariff(ServerRequest req, ServerResponse res) throws Exception {
        Tariff tariff = Http.body(req, Tariff.class);
        res.send(commands.putTariff(Http.path(req, "lotId"), tariff, Http.caller(req)));
    }

    private void createValidator(ServerRequest req, ServerResponse res) throws Exception {
        UpdateDiscounts.Validator v = Http.body(req, UpdateDiscounts.Validator.class);
        res.status(Status.CREATED_201).send(discounts.createValidator(Http.path(req, "lotId"), v, Http.caller(req)));
    }

    private void createCoupon(ServerRequest req, ServerResponse res) throws Exception {
        CouponRequest body = Http.body(req, CouponRequest.class);
        UpdateDiscounts.Coupon k;
        try {
            k = new UpdateDiscounts.Coupon(body.code(), body.kind(), body.value(), body.maxUses(), body.validFrom(),
                    body.validUntil(), 0);
        } catch (IllegalArgumentException e) {
            throw CloudException.invalid(e.getMessage());
        }
        res.status(Status.CREATED_201).send(discounts.createCoupon(Http.path(req, "lotId"), k, Http.caller(req)));
    }

    /** {@code ?from=&to=} (ISO-8601; default: the last 31 days). */
    private void billBack(ServerRequest req, ServerResponse res) throws Exception {
        java.time.Instant to = java.util.Optional.ofNullable(Http.instantParam(req, "to"))
                .orElseGet(java.time.Instant::now);
        java.time.Instant from = java.util.Optional.ofNullable(Http.instantParam(req, "from"))
                .orElse(to.minus(java.time.Duration.ofDays(31)));
        if (!from.isBefore(to)) {
            throw CloudException.invalid("from must be before to");
        }
        res.send(discounts.billBack(Http.path(req, "lotId"), from, to));
    }

    private void getTariff(ServerRequest req, ServerResponse res) throws Exception {
        String lotId = Http.path(req, "lotId");
        res.send(commands.currentTariff(lotId)
                .orElseThrow(() -> CloudException.notFound("TARIFF_NOT_FOUND", "lot " + lotId + " has no tariff")));
    }

    private void levelStatus(ServerRequest req, ServerResponse res) throws Exception {
        LevelStatusRequest body = Http.body(req, LevelStatusRequest.class);
        if (body.closed() == null) {
            throw CloudException.invalid("closed (true or false) is required");
        }
        res.status(Status.ACCEPTED_202).send(commands.setLevelStatus(Http.path(req, "lotId"),
                Http.path(req, "levelId"), body.closed(), body.reason(), Http.caller(req)));
    }

    private void openBarrier(ServerRequest req, ServerResponse res) throws Exception {
        OpenRequest body = Http.body(req, OpenRequest.class);
        res.status(Status.ACCEPTED_202).send(commands.openBarrier(Http.path(req, "lotId"), Http.path(req, "levelId"),
                Http.path(req, "laneId"), body.reason(), Http.caller(req)));
    }
}
