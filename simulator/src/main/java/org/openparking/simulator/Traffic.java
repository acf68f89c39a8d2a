package org.openparking.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.openparking.protocol.Json;
import org.openparking.testing.TestHttp;

/**
 * Drives cars through the lot: arrivals follow a daily curve compressed into the run length, each
 * car enters at an entry lane of some level (another level if full), parks on a spot (sensor levels),
 * may move to another spot, and leaves through an exit lane paying with a card token; a share of
 * cards is declined (the driver then uses another card), a share drives off without a ticket through
 * a lane the operator opens by hand. Each lane serves one car at a time, barrier and loops included.
 * Edges that do not answer (killed, restarting) are retried until they do.
 */
final class Traffic {
    /** A typical commuter day: weight of arrivals per hour 0..23. */
    static final double[] DEFAULT_CURVE = {1, 1, 1, 1, 1, 2, 5, 9, 12, 10, 8, 8, 9, 8, 7, 8, 9, 8, 6, 4, 3, 2, 2, 1};

    /** {@code rampShare}: cars that drive up the ramp to the level above after entering (lots with ramps). */
    record Options(Duration duration, int cars, double[] curve, double declineShare, double driveOffShare,
                   double moveShare, long seed, double rampShare, Customers.Options customers) {
        Options {
            if (duration.toSeconds() < 10 || cars < 1) {
                throw new IllegalArgumentException("duration must be at least 10s and cars at least 1");
            }
            if (curve.length == 0 || java.util.Arrays.stream(curve).anyMatch(w -> w < 0)
                    || java.util.Arrays.stream(curve).sum() <= 0) {
                throw new IllegalArgumentException("the daily curve needs non-negative weights with a positive sum");
            }
        }
    }

    private final Lot lot;
    private final Options options;
    private final Ledger ledger;
    private final TestHttp http = TestHttp.create(Duration.ofSeconds(2), Duration.ofSeconds(15));
    private final Map<String, ReentrantLock> lanes = new ConcurrentHashMap<>();
    private final Map<String, BlockingQueue<String>> freeSpots = new ConcurrentHashMap<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private long startNanos;
    private List<Car> day;

    Traffic(Lot lot, Options options, Ledger ledger) {
        this.lot = lot;
        this.options = options;
        this.ledger = ledger;
        for (Lot.Edge e : lot.edges()) {
            List<String> spots = new ArrayList<>(e.spots());
            Collections.shuffle(spots, new Random(options.seed()));
            freeSpots.put(e.levelId(), new LinkedBlockingQueue<>(spots));
        }
    }

    int inside() {
        return inside.get();
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Runs the day; returns when every car has left (or given up) or when {@code grace} after the
     * run length has passed. {@code progress} is called every few seconds.
     */
    void run(Duration grace, Runnable progress) throws InterruptedException {
        prepareCustomers();
        long durationMs = options.duration().toMillis();
        CountDownLatch done = new CountDownLatch(options.cars());
        List<Thread> cars = new ArrayList<>();
        startNanos = System.nanoTime();
        Thread monitor = Thread.ofVirtual().start(this::monitorOccupancy);
        Thread ticker = Thread.ofVirtual().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(5000);
                    progress.run();
                }
            } catch (InterruptedException e) {
                // stopped
            }
        });
        for (int i = 0; i < day.size(); i++) {
            Car car = day.get(i);
            cars.add(Thread.ofVirtual().name("car-" + i).start(() -> {
                try {
                    drive(car);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    ledger.errors.incrementAndGet();
                    System.err.println(car.plate + ": " + e);
                } finally {
                    finished.incrementAndGet();
                    done.countDown();
                }
            }));
        }
        boolean all = done.await(durationMs + grace.toMillis(), TimeUnit.MILLISECONDS);
        stopping.set(true);
        if (!all) {
            // Stop the stragglers so that nothing is acknowledged after this returns (the report counts then).
            System.out.println("traffic: " + done.getCount() + " cars still driving at the deadline: stopped where they are");
            cars.forEach(Thread::interrupt);
            for (Thread t : cars) {
                t.join(Duration.ofSeconds(20));
            }
        }
        monitor.interrupt();
        ticker.interrupt();
        progress.run();
    }

    private List<Car> drawDay() {
        Random random = new Random(options.seed());
        long durationMs = options.duration().toMillis();
        long arrivalWindow = durationMs * 3 / 4;
        long lastDeparture = durationMs * 95 / 100;
        double total = java.util.Arrays.stream(options.curve()).sum();
        List<Car> day = new ArrayList<>();
        Map<Customers.Kind, Integer> perKind = new java.util.EnumMap<>(Customers.Kind.class);
        for (int i = 0; i < options.cars(); i++) {
            double hour = pick(options.curve(), total, random) + random.nextDouble();
            long arrival = (long) (hour / options.curve().length * arrivalWindow);
            double stayHours = Math.max(0.25, -Math.log(1 - random.nextDouble()) * 2.5);
            long stay = Math.max(2000, (long) (stayHours / options.curve().length * arrivalWindow));
            long departure = Math.max(arrival + 1500, Math.min(arrival + stay, lastDeparture));
            boolean declined = random.nextDouble() < options.declineShare();
            boolean driveOff = random.nextDouble() < options.driveOffShare();
            boolean moves = random.nextDouble() < options.moveShare();
            int dice = random.nextInt(1 << 16);
            Customers.Kind kind = Customers.kindOf(options.customers(), dice);
            int index = perKind.merge(kind, 1, Integer::sum) - 1;
            String plate = kind == Customers.Kind.WALK_IN ? "SIM%05d".formatted(i) : kind.prefix + "%05d".formatted(index);
            // Customers never drive off without paying: the lanes' handling of them is what they are here for.
            day.add(new Car(plate, arrival, departure, declined, driveOff && kind == Customers.Kind.WALK_IN, moves, dice,
                    kind, index));
        }
        return day;
    }

    /**
     * Draws the day and, when it has customers, creates their rules in the cloud and waits until every level holds
     * them. {@link #run} does it first if not done yet; the chaos suite does it before its first fault.
     */
    synchronized void prepareCustomers() throws InterruptedException {
        if (day != null) {
            return;
        }
        List<Car> drawn = drawDay();
        if (options.customers().any()) {
            Customers.prepare(lot, drawn.stream().map(c -> new Customers.Holder(c.kind(), c.index(), c.plate())).toList(),
                    options.duration(), Duration.ofSeconds(120), System.out);
        }
        day = drawn;
    }

    private static int pick(double[] weights, double total, Random random) {
        double r = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private record Car(String plate, long arrivalMs, long departureMs, boolean declinedCard, boolean driveOff,
                       boolean moves, int dice, Customers.Kind kind, int index) {
        String kindName() {
            return kind == Customers.Kind.PERMIT && Customers.suspended(index) ? "PERMIT (suspended)" : kind.name();
        }

        /** A permit holder whose rules let them in anywhere at any time (not suspended; the pool holds them all). */
        boolean allowedPermit() {
            return kind == Customers.Kind.PERMIT && !Customers.suspended(index);
        }
    }

    private static boolean lostTicket(Car car) {
        return car.kind() == Customers.Kind.WALK_IN && car.dice() % 50 == 7;
    }

    private enum EntryResult { ADMITTED, FULL, AMBIGUOUS, FAILED, REFUSED }

    private record Admission(EntryResult result, String sessionId, String ticket) {
    }

    private void drive(Car car) throws InterruptedException {
        sleepUntil(car.arrivalMs());
        List<Lot.Edge> edges = lot.edges();
        Lot.Edge level = null;
        Admission admission = null;
        for (int k = 0; k < edges.size(); k++) {
            Lot.Edge candidate = edges.get((car.dice() + k) % edges.size());
            admission = enter(candidate, car);
            if (admission.result() != EntryResult.FULL) {
                level = candidate;
                break;
            }
        }
        if (level == null || admission.result() == EntryResult.FULL) {
            ledger.turnedAway.incrementAndGet();
            return;
        }
        if (admission.result() == EntryResult.REFUSED) {
            ledger.turnedAway.incrementAndGet();
            return;
        }
        if (admission.result() == EntryResult.FAILED) {
            return;
        }
        inside.incrementAndGet();
        Lot.Edge entered = level;
        try {
            Lot.Edge above = admission.result() == EntryResult.ADMITTED ? above(level) : null;
            if (above != null && drivesUp(car) && rampUp(level, above)) {
                level = above;
            }
            String spot = park(level);
            if (car.moves() && spot != null) {
                sleepUntil((car.arrivalMs() + car.departureMs()) / 2);
                // the car frees its spot before it takes the other one: one car never covers two sensors
                String other = freeSpots.get(level.levelId()).poll();
                if (other != null) {
                    leave(level, spot);
                    spotSensor(level, other, true);
                    spot = other;
                    ledger.spotMoves.incrementAndGet();
                }
            }
            sleepUntil(car.departureMs());
            leave(level, spot);
            if (level != entered) {
                // back down the ramp to the level whose gate it came through
                rampDown(level, entered);
                level = entered;
            }
            if (car.driveOff() || admission.result() == EntryResult.AMBIGUOUS) {
                driveOff(level, admission.result() == EntryResult.AMBIGUOUS
                        ? "simulator: ticket unknown after the edge restarted mid-entry"
                        : "simulator: ticket-less drive-off, operator opened the lane");
            } else {
                exit(level, car, admission);
            }
        } finally {
            inside.decrementAndGet();
        }
    }

    private Admission enter(Lot.Edge edge, Car car) throws InterruptedException {
        String lane = edge.entryLanes().get(car.dice() % edge.entryLanes().size());
        ReentrantLock lock = lane(edge, lane);
        boolean sent = false;
        // A pay-by-plate driver is read by the entry camera and takes no ticket button: the lane admits on its
        // newest read when confident (a doubtful read gets a plain ticket); a refusal then makes it press for one.
        boolean camera = car.kind() == Customers.Kind.TICKETLESS;
        lock.lock();
        try {
            while (!stopping.get()) {
                TestHttp.Response r;
                boolean offline = car.kind() == Customers.Kind.PERMIT && offline(edge);
                boolean read = camera && Boolean.TRUE.equals(plateRead(edge, lane, car, "entry", 37));
                try {
                    r = http.post(edge.api() + "/lanes/" + lane + "/entries",
                            read ? "{}" : json(Map.of("plate", car.plate())));
                } catch (UncheckedIOException e) {
                    if (!(e.getCause() instanceof java.net.ConnectException)) {
                        sent = true;
                    } else if (!sent) {
                        // the level's controller is down: drivers see a dark entry and try another level
                        return new Admission(EntryResult.FULL, null, null);
                    }
                    retryPause(500);
                    continue;
                }
                if (r.status() == 201) {
                    String sessionId = r.body().path("sessionId").asText();
                    ledger.entered(new Ledger.EntryAck(sessionId, car.plate(), edge.levelId()));
                    if (car.kind() == Customers.Kind.PERMIT) {
                        ledger.permitEntries.incrementAndGet();
                        if (offline) {
                            ledger.permitEntriesOffline.incrementAndGet();
                        }
                    } else if (car.kind() == Customers.Kind.RESERVED) {
                        ledger.reservedEntries.incrementAndGet();
                    }
                    pass(edge, lane);
                    return new Admission(EntryResult.ADMITTED, sessionId, r.body().path("ticket").asText());
                }
                switch (String.valueOf(r.error())) {
                    case "LEVEL_FULL", "LEVEL_CLOSED" -> {
                        return new Admission(EntryResult.FULL, null, null);
                    }
                    case "HELD_FOR_RESERVATIONS" -> {
                        // a walk-in kept off the spaces held for pre-booked cars: it tries another level
                        ledger.refused("HELD_FOR_RESERVATIONS", car.kindName());
                        return new Admission(EntryResult.FULL, null, null);
                    }
                    case "PLATE_ALREADY_INSIDE", "ANTI_PASSBACK" -> {
                        if (read && !sent) {
                            // the camera read a plate that is inside already (a parked car's): named, then a ticket
                            ledger.refused(r.error(), car.kindName() + " (entry camera)");
                            camera = false;
                            continue;
                        }
                        if (sent) {
                            ledger.ambiguousEntries.incrementAndGet();
                            return new Admission(EntryResult.AMBIGUOUS, null, null);
                        }
                        return failed(car.plate() + " entry: " + r);
                    }
                    case "LANE_BUSY" -> retryPause(50);
                    default -> {
                        if (r.status() >= 500) {
                            retryPause(500);
                        } else if (car.kind() != Customers.Kind.WALK_IN && r.error() != null) {
                            return refusedEntry(edge, car, r, offline);
                        } else {
                            return failed(car.plate() + " entry at " + edge.levelId() + ": " + r);
                        }
                    }
                }
            }
            return new Admission(EntryResult.FAILED, null, null);
        } finally {
            lock.unlock();
        }
    }

    /** A customer refused by name at the entry: counted by reason; a permit holder the rules let in is a failure. */
    private Admission refusedEntry(Lot.Edge edge, Car car, TestHttp.Response r, boolean offline) {
        String reason = r.error();
        ledger.refused(reason, car.kindName());
        boolean expected = car.kind() == Customers.Kind.PERMIT && Customers.suspended(car.index())
                && "PERMIT_SUSPENDED".equals(reason);
        if (car.allowedPermit()) {
            ledger.permitRefusals.add("%s at %s: %s%s".formatted(car.plate(), edge.levelId(), reason,
                    offline ? " (offline)" : ""));
            if (offline) {
                ledger.permitRefusalsOffline.incrementAndGet();
            }
        } else if (!expected) {
            return failed(car.plate() + " (" + car.kindName() + ") entry at " + edge.levelId() + ": " + r);
        }
        return new Admission(EntryResult.REFUSED, null, null);
    }

    /** Whether the level says it has no link to the cloud right now (GET /sync); unreachable counts as online. */
    private boolean offline(Lot.Edge edge) {
        try {
            JsonNode sync = http.get(edge.api() + "/sync").body();
            return sync.has("connected") && !sync.path("connected").asBoolean();
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private Admission failed(String what) {
        ledger.errors.incrementAndGet();
        System.err.println("unexpected answer: " + what);
        return new Admission(EntryResult.FAILED, null, null);
    }

    private void exit(Lot.Edge edge, Car car, Admission admission) throws InterruptedException {
        String lane = edge.exitLanes().get(car.dice() % edge.exitLanes().size());
        ReentrantLock lock = lane(edge, lane);
        String card = car.declinedCard() ? StripeStub.DECLINED_CARD : StripeStub.GOOD_CARD;
        boolean sent = false;
        String validation = car.kind() == Customers.Kind.VALIDATED ? stampValidation(edge, car, admission) : null;
        String coupon = car.kind() == Customers.Kind.COUPON ? Customers.couponOf(car.index()) : null;
        boolean ticketless = car.kind() == Customers.Kind.TICKETLESS;
        lock.lock();
        try {
            while (!stopping.get()) {
                TestHttp.Response r;
                Map<String, Object> body = new java.util.HashMap<>();
                if (ticketless) {
                    // the exit camera reads the car (with the reader's errors), then the lane asks for pay-by-plate
                    Boolean posted = plateRead(edge, lane, car, "exit", 31);
                    if (posted == null) {
                        retryPause(500);
                        continue;
                    }
                    if (!posted) {
                        ticketless = false; // the edge refused the read itself (logged as unexpected): the ticket
                        continue;
                    }
                    body.put("ticketless", true);
                } else if (lostTicket(car)) {
                    // About one driver in fifty has lost the ticket and leaves by plate.
                    body.putAll(Map.of("lostTicket", true, "plate", car.plate(), "paymentMethod", card));
                } else {
                    body.putAll(Map.of("ticket", admission.ticket(), "paymentMethod", card));
                    if (validation != null) {
                        body.put("validation", validation);
                    }
                    if (coupon != null) {
                        body.put("coupon", coupon);
                    }
                }
                try {
                    r = http.post(edge.api() + "/lanes/" + lane + "/exits", json(body));
                } catch (UncheckedIOException e) {
                    sent = true;
                    retryPause(500);
                    continue;
                }
                if (ticketless && r.status() == 409 && "TICKET".equals(r.body().path("fallback").asText())) {
                    // the lane never guesses: it names the reason and the driver shows the ticket instead
                    ledger.refused(r.error(), car.kindName());
                    ticketless = false;
                    continue;
                }
                if (r.status() == 409 && coupon != null && String.valueOf(r.error()).startsWith("COUPON_")) {
                    ledger.refused(r.error(), car.kindName());
                    coupon = null;
                    continue;
                }
                if (r.status() / 100 == 4 && validation != null && String.valueOf(r.error()).startsWith("VALIDAT")) {
                    ledger.refused(r.error(), car.kindName());
                    validation = null;
                    continue;
                }
                if (r.status() == 200) {
                    if (lostTicket(car)) {
                        ledger.lostTickets.incrementAndGet();
                    }
                    explained(car, r.body(), ticketless, validation != null, coupon != null);
                    JsonNode payment = r.body().path("payment");
                    ledger.exited(new Ledger.ExitAck(admission.sessionId(), edge.levelId(),
                            payment.path("status").asText(), payment.path("paymentId").asText(null),
                            r.body().path("fee").path("amount").asLong()));
                    pass(edge, lane);
                    return;
                }
                if (r.status() == 202) {
                    ledger.pendingAtGate.incrementAndGet();
                    payAtPayStation(edge, admission);
                    continue;
                }
                switch (String.valueOf(r.error())) {
                    case "PAYMENT_DECLINED" -> {
                        ledger.declines.incrementAndGet();
                        card = StripeStub.GOOD_CARD;
                    }
                    case "LANE_BUSY" -> retryPause(50);
                    case "TICKET_ALREADY_USED" -> {
                        if (sent) {
                            ledger.ambiguousExits.incrementAndGet();
                        } else {
                            failed(car.plate() + " exit: " + r);
                        }
                        return;
                    }
                    default -> {
                        if (r.status() >= 500) {
                            retryPause(500);
                        } else {
                            failed(car.plate() + " exit at " + edge.levelId() + ": " + r);
                            return;
                        }
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The shopper has the ticket stamped at a merchant's terminal ({@code POST /validations}); null when refused. */
    private String stampValidation(Lot.Edge edge, Car car, Admission admission) throws InterruptedException {
        while (!stopping.get()) {
            try {
                TestHttp.Response r = http.post(edge.api() + "/validations",
                        json(Map.of("ticket", admission.ticket(), "validatorId", Customers.VALIDATOR)));
                if (r.status() == 201) {
                    return r.body().path("validation").asText();
                }
                if (r.status() < 500) {
                    ledger.refused(String.valueOf(r.error()), car.kindName());
                    return null;
                }
            } catch (UncheckedIOException e) {
                // the edge is restarting
            }
            retryPause(500);
        }
        return null;
    }

    /**
     * One camera read of the car at a lane, posted as the camera's webhook: true when accepted, false when the edge
     * refused it (an unexpected answer), null while the edge does not answer.
     */
    private Boolean plateRead(Lot.Edge edge, String lane, Car car, String camera, long salt) {
        var produced = Customers.camera(options.customers(), lane, options.seed() * salt + car.dice()).vehicleAt(car.plate());
        try {
            TestHttp.Response r = http.post(edge.api() + "/lanes/" + lane + "/plate-reads", Customers.webhook(produced.read()));
            if (r.status() == 202) {
                ledger.plateReads.computeIfAbsent(camera + " " + produced.outcome().name(), k -> new java.util.concurrent.atomic.AtomicLong())
                        .incrementAndGet();
                return true;
            }
            if (r.status() < 500) {
                failed("plate read: " + r);
                return false;
            }
        } catch (UncheckedIOException e) {
            // restarting
        }
        return null;
    }

    /** Checks an exit's explained fee: line items add up to it; a validation or coupon took something off. */
    private void explained(Car car, JsonNode body, boolean ticketless, boolean validated, boolean couponed) {
        long fee = body.path("fee").path("amount").asLong();
        long sum = 0;
        long validation = 0;
        boolean couponApplied = false;
        for (JsonNode l : body.path("lineItems")) {
            sum += l.path("amount").asLong();
            if ("VALIDATION".equals(l.path("kind").asText()) && l.path("applied").asBoolean()) {
                validation += l.path("amount").asLong();
            }
            if ("COUPON".equals(l.path("kind").asText()) && l.path("applied").asBoolean()) {
                couponApplied = true;
            }
        }
        if (sum != fee) {
            ledger.lineItemMismatches.incrementAndGet();
            System.err.println(car.plate() + ": line items add up to " + sum + ", fee " + fee + ": " + body);
        }
        if (validated) {
            ledger.validatedExits.incrementAndGet();
            ledger.validatedBefore.addAndGet(fee - validation);
            ledger.validatedAfter.addAndGet(fee);
            if (validation < 0) {
                ledger.validatedPaidLess.incrementAndGet();
            }
        }
        if (couponed && couponApplied) {
            ledger.couponsApplied.incrementAndGet();
        }
        if (ticketless) {
            ledger.ticketlessExits.incrementAndGet();
        }
        ledger.paidBy(car.kindName() + (ticketless ? " (by plate)" : ""), fee);
    }

    private void payAtPayStation(Lot.Edge edge, Admission admission) throws InterruptedException {
        while (!stopping.get()) {
            try {
                TestHttp.Response r = http.post(edge.api() + "/pay-station/payments",
                        json(Map.of("ticket", admission.ticket(), "paymentMethod", StripeStub.GOOD_CARD)));
                if (r.ok() && "PAID".equals(r.body().path("status").asText())) {
                    ledger.paidAtPayStation(new Ledger.PayStationAck(admission.sessionId(),
                            r.body().path("paymentId").asText(), r.body().path("amount").asLong()));
                    return;
                }
                if (r.status() < 500 && r.status() != 402) {
                    failed("pay station: " + r);
                    return;
                }
            } catch (UncheckedIOException e) {
                // the edge is restarting
            }
            retryPause(1000);
        }
    }

    private void driveOff(Lot.Edge edge, String reason) throws InterruptedException {
        String lane = edge.exitLanes().getFirst();
        ReentrantLock lock = lane(edge, lane);
        lock.lock();
        try {
            while (!stopping.get()) {
                try {
                    TestHttp.Response r = http.post(edge.process().baseUrl() + "/api/v1/admin/lanes/" + lane + "/open",
                            json(Map.of("reason", reason)));
                    if (r.ok()) {
                        ledger.driveOffs.incrementAndGet();
                        pass(edge, lane);
                        return;
                    }
                    if (r.status() < 500) {
                        failed("manual open: " + r);
                        return;
                    }
                } catch (UncheckedIOException e) {
                    // the edge is restarting
                }
                retryPause(500);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The car drives through: safety loop occupied until the lane sees it, then clear until the gate closes. */
    /**
     * One car straight in through a lane and on to its spot, for the chaos suite's backlog burst (it never
     * leaves): true when the edge acknowledged it with 201, which the ledger then counts like any entry.
     */
    boolean burstEntry(Lot.Edge edge, String lane, String plate) throws InterruptedException {
        ReentrantLock lock = lane(edge, lane);
        lock.lock();
        try {
            TestHttp.Response r = http.post(edge.api() + "/lanes/" + lane + "/entries", json(Map.of("plate", plate)));
            if (r.status() != 201) {
                return false;
            }
            ledger.entered(new Ledger.EntryAck(r.body().path("sessionId").asText(), plate, edge.levelId()));
            pass(edge, lane);
            return true;
        } catch (UncheckedIOException e) {
            return false; // no answer: not acknowledged, so not counted (a stored session is reported as extra)
        } finally {
            lock.unlock();
        }
    }

    private void pass(Lot.Edge edge, String lane) throws InterruptedException {
        String loop = edge.api() + "/simulator/lanes/" + lane + "/safety";
        try {
            http.post(loop, json(Map.of("present", true)));
            awaitPhase(edge, lane, true);
            http.post(loop, json(Map.of("present", false)));
            awaitPhase(edge, lane, false);
        } catch (UncheckedIOException e) {
            // the edge went away mid-passage; a restarted edge starts with its lanes idle
        }
    }

    private void awaitPhase(Lot.Edge edge, String lane, boolean passing) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (System.nanoTime() < deadline) {
            for (JsonNode l : http.get(edge.api() + "/lanes").body()) {
                if (lane.equals(l.path("laneId").asText())) {
                    String phase = l.path("phase").asText();
                    boolean through = "VEHICLE_PASSING".equals(phase);
                    if (passing ? through : !through && !"GATE_OPEN".equals(phase)) {
                        return;
                    }
                }
            }
            Thread.sleep(10);
        }
    }

    /** The level above {@code edge} when the lot has ramps, else null. */
    private Lot.Edge above(Lot.Edge edge) {
        if (options.rampShare() <= 0) {
            return null;
        }
        List<Lot.Edge> edges = lot.edges();
        int i = edges.indexOf(edge);
        return i >= 0 && i + 1 < edges.size() ? edges.get(i + 1) : null;
    }

    /** Whether this car heads for the level above; from its dice, so other draws of the run stay the same. */
    private boolean drivesUp(Car car) {
        return Math.floorMod(car.dice() * 7919, 1000) < options.rampShare() * 1000;
    }

    /**
     * Drives up the ramp if the sign of the level above shows a free space: out over {@code from}'s up ramp,
     * in over {@code to}'s down ramp.
     */
    private boolean rampUp(Lot.Edge from, Lot.Edge to) throws InterruptedException {
        ReentrantLock lock = rampLane(from);
        lock.lock();
        try {
            try {
                if (http.get(to.api() + "/availability").body().path("free").asLong() <= 0) {
                    return false;
                }
            } catch (UncheckedIOException e) {
                return false; // the level above is dark: stay on this one
            }
            trip(from, "up", "OUT", to, "down", "IN");
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Back down the ramp from {@code upper} to {@code lower}. */
    private void rampDown(Lot.Edge upper, Lot.Edge lower) throws InterruptedException {
        ReentrantLock lock = rampLane(lower);
        lock.lock();
        try {
            trip(upper, "down", "OUT", lower, "up", "IN");
        } finally {
            lock.unlock();
        }
    }

    /** The single lane of the ramp between {@code lower} and the level above it: one car at a time. */
    private ReentrantLock rampLane(Lot.Edge lower) {
        return lanes.computeIfAbsent(lower.levelId() + "/ramp-up", k -> new ReentrantLock(true));
    }

    /**
     * One car over the ramp: the loops at both ends see it, and the car goes on only once both levels have
     * counted it (a driver reaches the level before parking or leaving through its gate). A level whose
     * controller restarts meanwhile may miss the passage, as its loops would.
     */
    private void trip(Lot.Edge a, String rampA, String dirA, Lot.Edge b, String rampB, String dirB)
            throws InterruptedException {
        long beforeA = passages(a, rampA);
        long beforeB = passages(b, rampB);
        ramp(a, rampA, dirA);
        ramp(b, rampB, dirB);
        for (int i = 0; i < 500 && !stopping.get(); i++) {
            if (passages(a, rampA) > beforeA && passages(b, rampB) > beforeB) {
                break;
            }
            Thread.sleep(20);
        }
        ledger.rampTrips.incrementAndGet();
    }

    /** Every passage a ramp has reported (counted, refused at a bound, or turned back); -1 while unreachable. */
    private long passages(Lot.Edge edge, String rampId) throws InterruptedException {
        try {
            for (JsonNode r : http.get(edge.api() + "/ramps").body()) {
                if (rampId.equals(r.path("rampId").asText())) {
                    return r.path("in").asLong() + r.path("out").asLong() + r.path("turnedBack").asLong()
                            + r.path("absorbed").asLong();
                }
            }
        } catch (UncheckedIOException restarting) {
            // counted as unknown
        }
        return -1;
    }

    /** One car over a ramp's loops (simulator API), retried while that level's controller is down. */
    private void ramp(Lot.Edge edge, String rampId, String direction) throws InterruptedException {
        simulatorInput(edge.api() + "/simulator/ramps/" + rampId + "/passages", Map.of("direction", direction));
    }

    /** Takes a free spot and reports it occupied (sensor levels); null on counting levels or when none is free. */
    private String park(Lot.Edge edge) throws InterruptedException {
        String spot = freeSpots.get(edge.levelId()).poll();
        if (spot != null) {
            spotSensor(edge, spot, true);
        }
        return spot;
    }

    private void leave(Lot.Edge edge, String spot) throws InterruptedException {
        if (spot != null) {
            spotSensor(edge, spot, false);
            freeSpots.get(edge.levelId()).add(spot);
        }
    }

    private void spotSensor(Lot.Edge edge, String spot, boolean occupied) throws InterruptedException {
        simulatorInput(edge.api() + "/simulator/spots/" + spot, Map.of("occupied", occupied));
    }

    /** A simulated hardware input, retried for up to half a minute while that level's controller restarts. */
    private void simulatorInput(String url, Map<String, Object> body) throws InterruptedException {
        for (int attempt = 0; attempt < 60 && !stopping.get(); attempt++) {
            try {
                if (http.post(url, json(body)).status() < 500) {
                    return;
                }
            } catch (UncheckedIOException e) {
                // restarting
            }
            retryPause(500);
        }
    }

    private static String json(Map<String, ?> body) {
        try {
            return Json.mapper().writeValueAsString(body);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + body, e);
        }
    }

    private void retryPause(long ms) throws InterruptedException {
        ledger.retries.incrementAndGet();
        Thread.sleep(ms);
    }

    private void sleepUntil(long offsetMs) throws InterruptedException {
        long wait = offsetMs - (System.nanoTime() - startNanos) / 1_000_000;
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private ReentrantLock lane(Lot.Edge edge, String lane) {
        return lanes.computeIfAbsent(edge.levelId() + "/" + lane, k -> new ReentrantLock(true));
    }

    private void monitorOccupancy() {
        while (!Thread.currentThread().isInterrupted()) {
            for (Lot.Edge e : lot.edges()) {
                try {
                    JsonNode a = http.get(e.api() + "/availability").body();
                    if (a.has("occupied")) {
                        ledger.occupancy(e.levelId(), a.path("occupied").asLong(), a.path("capacity").asLong());
                    }
                } catch (UncheckedIOException ex) {
                    // down for now
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    /** One progress line. */
    String progressLine() {
        StringBuilder s = new StringBuilder("t=%5.0fs in=%d out=%d inside=%d declines=%d deferred=%d pending=%d drive-offs=%d retries=%d errors=%d |"
                .formatted(elapsedSeconds(), ledger.entries.size(), ledger.exits.size() + ledger.driveOffs.get(), inside.get(),
                        ledger.declines.get(), ledger.exitsWith("DEFERRED"), ledger.pendingAtGate.get(),
                        ledger.driveOffs.get(), ledger.retries.get(), ledger.errors.get()));
        for (Lot.Edge e : lot.edges()) {
            s.append(' ').append(e.levelId()).append(" max ").append(ledger.maxOccupancy(e.levelId()))
                    .append('/').append(ledger.capacity.getOrDefault(e.levelId(), 0L));
        }
        return s.toString();
    }
}
