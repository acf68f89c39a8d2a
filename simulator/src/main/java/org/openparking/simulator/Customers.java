package org.openparking.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.openparking.firmware.PlateRead;
import org.openparking.firmware.SimulatedPlateReader;
import org.openparking.testing.TestHttp;

/**
 * The commercial customers of issue 19 that the simulator drives besides ticket holders: permit holders (a pool,
 * a few suspended), validated shoppers (a merchant validation stamped at the edge), coupon users, pre-booked cars
 * (reservations by plate; every other one prepaid) and pay-by-plate drivers whose entry and exit cameras misread at
 * {@code plateErrors}. {@link #prepare} creates their rules in cloud-sync's API (admin login), which pushes them to
 * every level, and waits until every level holds them; the lanes then decide with or without the network.
 */
final class Customers {
    /** Shares of the cars (0..1 each, at most 1 together); {@code plateErrors}: share of camera reads that go wrong. */
    record Options(double permits, double validated, double coupons, double reserved, double ticketless,
                   double plateErrors) {
        static final Options NONE = new Options(0, 0, 0, 0, 0, 0);

        Options {
            if (permits + validated + coupons + reserved + ticketless > 1.0 + 1e-9) {
                throw new IllegalArgumentException("--permits, --validated, --coupons, --reserved and --ticketless "
                        + "are shares of the cars and add up to more than 1");
            }
        }

        boolean any() {
            return permits + validated + coupons + reserved + ticketless > 0;
        }
    }

    enum Kind {
        WALK_IN("SIM"), PERMIT("PRM"), VALIDATED("VAL"), COUPON("CPN"), RESERVED("RES"), TICKETLESS("TLS");

        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    static final String POOL = "sim-pool";
    static final String VALIDATOR = "sim-shop";
    /** Reusable: 20 % off. */
    static final String COUPON = "SIM-20";
    /** Single use: the first user gets 100 off, the others are refused {@code COUPON_USED_UP} and pay in full. */
    static final String COUPON_ONCE = "SIM-ONCE";
    /** Plates of cars parked in the street by the lane cameras, read instead of the moving one by mistake. */
    static final List<String> BYSTANDERS = List.of("ST-9001", "ST-9002", "ST-9003");

    private Customers() {
    }

    /**
     * The customer kind of car {@code dice}, from a draw of its own so that a run's other draws stay those of a run
     * without customers.
     */
    static Kind kindOf(Options o, int dice) {
        double r = Math.floorMod(dice * 104_729L + 17, 10_000) / 10_000.0;
        double[] shares = {o.permits(), o.validated(), o.coupons(), o.reserved(), o.ticketless()};
        Kind[] kinds = {Kind.PERMIT, Kind.VALIDATED, Kind.COUPON, Kind.RESERVED, Kind.TICKETLESS};
        for (int i = 0; i < shares.length; i++) {
            if ((r -= shares[i]) < 0) {
                return kinds[i];
            }
        }
        return Kind.WALK_IN;
    }

    /** About one permit in seven is suspended (unpaid): the lanes must refuse it by name, online or not. */
    static boolean suspended(int index) {
        return index % 7 == 3;
    }

    /** Every other reservation is an event pre-sale: it leaves with no fee. */
    static boolean prepaid(int index) {
        return index % 2 == 1;
    }

    /** Every other coupon user holds the single-use coupon. */
    static String couponOf(int index) {
        return index % 2 == 1 ? COUPON_ONCE : COUPON;
    }

    /** One car of the day as the rules know it. */
    record Holder(Kind kind, int index, String plate) {
    }

    /**
     * Creates the pool, permits, reservations, pay-by-plate accounts, the validator and the coupons in cloud-sync for
     * {@code holders} and waits (up to {@code wait}) until every level holds the lane rules and the discounts.
     */
    static void prepare(Lot lot, List<Holder> holders, Duration runLength, Duration wait, java.io.PrintStream out)
            throws InterruptedException {
        TestHttp http = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(15));
        String api = lot.cloudSync().baseUrl() + "/api/v1";
        String lotPath = api + "/lots/" + Lot.LOT_ID;
        String auth = "Bearer " + lot.cloudToken();
        long t0 = System.nanoTime();
        await("every level registered in the cloud", wait, () ->
                http.get(api + "/edges?lot=" + Lot.LOT_ID, "Authorization", auth).body().size() == lot.edges().size());
        long permits = holders.stream().filter(h -> h.kind() == Kind.PERMIT).count();
        Instant now = Instant.now();
        Instant until = now.plus(runLength).plus(Duration.ofHours(2));
        // The pool holds every permit holder of the day: no level ever has a reason to refuse one.
        ok(http.post(lotPath + "/pools", "{\"poolId\":\"%s\",\"max\":%d}".formatted(POOL, Math.max(1, permits)),
                "Authorization", auth));
        long version = 0;
        for (Holder h : holders) {
            TestHttp.Response r = switch (h.kind()) {
                case PERMIT -> http.post(lotPath + "/permits", "{\"permitId\":\"p-%s\",\"plate\":\"%s\",\"poolId\":\"%s\"}"
                        .formatted(h.plate(), h.plate(), POOL), "Authorization", auth);
                case RESERVED -> http.post(lotPath + "/reservations", ("{\"reservationId\":\"r-%s\",\"plate\":\"%s\","
                        + "\"from\":\"%s\",\"until\":\"%s\",\"prepaid\":%b}").formatted(h.plate(), h.plate(),
                        now.minusSeconds(600), until, prepaid(h.index())), "Authorization", auth);
                case TICKETLESS -> http.post(lotPath + "/accounts", "{\"plate\":\"%s\",\"paymentMethod\":\"%s\"}"
                        .formatted(h.plate(), StripeStub.GOOD_CARD), "Authorization", auth);
                default -> null;
            };
            if (r != null) {
                ok(r);
                version = Math.max(version, r.body().at("/pushed/rulesVersion").asLong());
            }
            if (h.kind() == Kind.PERMIT && suspended(h.index())) {
                TestHttp.Response s = http.post(lotPath + "/permits/p-" + h.plate() + "/suspend",
                        "{\"suspended\":true,\"reason\":\"simulator: unpaid\"}", "Authorization", auth);
                ok(s);
                version = Math.max(version, s.body().at("/pushed/rulesVersion").asLong());
            }
        }
        ok(http.post(lotPath + "/validators", ("{\"validatorId\":\"%s\",\"name\":\"Simulated shop\",\"department\":"
                + "\"tills\",\"kind\":\"PERCENT_OFF\",\"value\":50,\"validMinutes\":240}").formatted(VALIDATOR),
                "Authorization", auth));
        ok(http.post(lotPath + "/coupons", "{\"code\":\"%s\",\"kind\":\"PERCENT_OFF\",\"value\":20,\"maxUses\":0}"
                .formatted(COUPON), "Authorization", auth));
        ok(http.post(lotPath + "/coupons", "{\"code\":\"%s\",\"kind\":\"AMOUNT_OFF\",\"value\":100,\"maxUses\":1}"
                .formatted(COUPON_ONCE), "Authorization", auth));
        long rulesVersion = version;
        for (Lot.Edge e : lot.edges()) {
            await(e.levelId() + " holding lane rules version " + rulesVersion, wait,
                    () -> http.get(e.api() + "/lane-rules").body().path("version").asLong() >= rulesVersion);
        }
        await("every level applied the discounts", wait, () -> {
            for (JsonNode e : http.get(api + "/edges?lot=" + Lot.LOT_ID, "Authorization", auth).body()) {
                if (e.path("unappliedCommands").asLong() != 0) {
                    return false;
                }
            }
            return true;
        });
        out.printf("customers ready in %.1fs: %d permits (pool %s, %d suspended), %d reservations, %d pay-by-plate "
                        + "accounts, validator %s, coupons %s and %s; lane rules version %d on every level%n",
                (System.nanoTime() - t0) / 1e9, permits, POOL,
                holders.stream().filter(h -> h.kind() == Kind.PERMIT && suspended(h.index())).count(),
                holders.stream().filter(h -> h.kind() == Kind.RESERVED).count(),
                holders.stream().filter(h -> h.kind() == Kind.TICKETLESS).count(), VALIDATOR, COUPON, COUPON_ONCE,
                rulesVersion);
    }

    /** A lane camera reading one car: errors at the configured rate, seeded by the car so that a run repeats. */
    static SimulatedPlateReader camera(Options o, String laneId, long seed) {
        double e = o.plateErrors();
        return new SimulatedPlateReader(laneId, 0.9,
                new SimulatedPlateReader.Errors(e * 0.4, e * 0.3, e * 0.15, e * 0.15), seed,
                java.time.Clock.systemUTC(), BYSTANDERS);
    }

    /** A read as the camera's Plate Recognizer webhook posts it to {@code POST /lanes/{id}/plate-reads}. */
    static String webhook(PlateRead read) {
        String result = read.plate() == null
                ? "{\"score\":0,\"vehicle\":{\"type\":\"Sedan\",\"score\":0.9}}"
                : String.format(java.util.Locale.ROOT,
                        "{\"plate\":\"%s\",\"score\":%.3f,\"vehicle\":{\"type\":\"Sedan\",\"score\":0.9}}",
                        read.plate(), read.confidence());
        return ("{\"hook\":{\"id\":\"sim-cam-%s\",\"event\":\"recognition\"},\"data\":{\"camera_id\":\"sim-cam-%s\","
                + "\"timestamp\":\"%s\",\"results\":[%s]}}").formatted(read.laneId(), read.laneId(), read.at(), result);
    }

    private static void ok(TestHttp.Response r) {
        if (r.status() != 200 && r.status() != 201) {
            throw new IllegalStateException("cloud-sync refused a customer rule: " + r.status() + " " + r.text());
        }
    }

    private interface Check {
        boolean holds();
    }

    private static void await(String what, Duration wait, Check check) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (UncheckedIOException | NullPointerException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }
}
