package org.openparking.edge.lane;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.discount.Discounts;
import org.openparking.edge.session.ParkingService;
import org.openparking.firmware.BarrierGate;
import org.openparking.firmware.BarrierState;
import org.openparking.firmware.HardwareException;
import org.openparking.firmware.PlateRead;
import org.openparking.firmware.TicketPrinter;
import org.openparking.firmware.VehicleDetector;
import org.openparking.protocol.VehicleType;

/**
 * One lane's state machine. The barrier opens only for an admitted entry or a settled exit (or an
 * audited manual open), and closes once the car has crossed the safety loop, or after the passage
 * timeout if nobody drove through. The barrier's own interlock keeps it up while a car is under it.
 *
 * <pre>
 * IDLE --arming loop--> VEHICLE_WAITING --entry/exit accepted--> GATE_OPEN --safety loop--> VEHICLE_PASSING
 *   ^                                                               |                           |
 *   +-------------------- passage timeout: lower -------------------+---- loop clear: lower ----+
 * </pre>
 */
public final class LaneController {
    private static final Logger LOG = Logger.getLogger(LaneController.class.getName());

    public enum Phase { IDLE, VEHICLE_WAITING, GATE_OPEN, VEHICLE_PASSING }

    private final EdgeSettings.Lane lane;
    private final BarrierGate barrier;
    private final VehicleDetector arming;
    private final VehicleDetector safety;
    private final TicketPrinter printer;
    private final ParkingService parking;
    private final ScheduledExecutorService timer;
    private final Duration passageTimeout;
    private final Clock clock;
    private final LaneDecisions decisions;
    private final List<Consumer<LaneView>> listeners = new CopyOnWriteArrayList<>();

    private final PlateReads plateReads;
    private Phase phase = Phase.IDLE;
    private LaneView.Refusal lastRefusal;
    private ScheduledFuture<?> passageTimer;
    private java.time.Instant updatedAt;

    public LaneController(EdgeSettings.Lane lane, BarrierGate barrier, VehicleDetector arming, VehicleDetector safety,
                          TicketPrinter printer, ParkingService parking, ScheduledExecutorService timer,
                          Duration passageTimeout, Clock clock, LaneDecisions decisions) {
        this(lane, barrier, arming, safety, printer, parking, timer, passageTimeout, clock, decisions,
                new PlateReads());
    }

    /** @param plateReads the newest plate read of each lane (shared by the level's lanes) */
    public LaneController(EdgeSettings.Lane lane, BarrierGate barrier, VehicleDetector arming, VehicleDetector safety,
                          TicketPrinter printer, ParkingService parking, ScheduledExecutorService timer,
                          Duration passageTimeout, Clock clock, LaneDecisions decisions, PlateReads plateReads) {
        this.plateReads = plateReads;
        this.lane = lane;
        this.barrier = barrier;
        this.arming = arming;
        this.safety = safety;
        this.printer = printer;
        this.parking = parking;
        this.timer = timer;
        this.passageTimeout = passageTimeout;
        this.clock = clock;
        this.decisions = decisions;
        this.updatedAt = clock.instant();
        // Hardware callbacks arrive on device threads, possibly under the device's own lock: hop onto the
        // lane's timer thread (one thread, so order is kept) before taking this lane's lock.
        arming.onChange(present -> timer.execute(() -> onArming(present)));
        safety.onChange(present -> timer.execute(() -> onSafety(present)));
        barrier.onStateChange(state -> timer.execute(this::changed));
    }

    public String laneId() {
        return lane.id();
    }

    public EdgeSettings.Direction direction() {
        return lane.direction();
    }

    /** An entry accepted at this lane. {@code printed} is false when the printer failed (the ticket is still valid). */
    public record Entry(ParkingService.Admission admission, boolean printed, BarrierState gate) {
    }

    public record Exit(ParkingService.Departure departure, BarrierState gate) {
    }

    public synchronized Entry enter(String plate, VehicleType vehicleType) {
        return enterWith(ParkingService.Credentials.plate(plate), vehicleType);
    }

    /**
     * An entry with what the vehicle presents. With no plate, card or code given, the lane's newest plate read is
     * used if it is fresh and confident; a doubtful read is not guessed from: the car enters as a walk-in.
     */
    public synchronized Entry enterWith(ParkingService.Credentials presented, VehicleType vehicleType) {
        long started = System.nanoTime();
        ParkingService.Admission admission;
        ParkingService.Credentials credentials = presented;
        PlateRead used = null;
        try {
            requireDirection(EdgeSettings.Direction.ENTRY);
            requireReady();
            if (presented.plate() == null && presented.card() == null && presented.reservationCode() == null) {
                used = plateReads.newest(lane.id()).filter(PlateRead::confident)
                        .filter(r -> !r.at().plus(parking.lanePolicy().readMaxAge()).isBefore(clock.instant())
                                && !r.at().isAfter(clock.instant().plus(parking.lanePolicy().readMaxAge())))
                        .orElse(null);
                if (used != null) {
                    credentials = ParkingService.Credentials.plate(used.plate());
                }
            }
            admission = parking.admitWith(lane.id(), credentials, vehicleType);
        } catch (ParkingException e) {
            refused(e, started);
            throw e;
        }
        if (used != null) {
            plateReads.consume(lane.id(), used);
        }
        lastRefusal = null;
        boolean printed = true;
        try {
            printer.print(admission.ticket());
        } catch (HardwareException e) {
            printed = false;
            LOG.warning(() -> "lane " + lane.id() + ": ticket printer failed (" + e.getMessage()
                    + "); session " + admission.session().sessionId() + " admitted with its ticket on the display");
        }
        openForPassage();
        decisions.entered(lane.id(), admission, System.nanoTime() - started);
        return new Entry(admission, printed, barrier.state());
    }

    public synchronized Exit exit(String ticket, String paymentMethod) {
        return exit(ticket, paymentMethod, Discounts.Presented.NONE);
    }

    /** An exit with a ticket and, if presented, a merchant validation and/or a coupon. */
    public synchronized Exit exit(String ticket, String paymentMethod, Discounts.Presented presented) {
        return released(System.nanoTime(), () -> parking.depart(lane.id(), ticket, paymentMethod, presented));
    }

    /**
     * A ticketless exit from the lane's newest plate read (pay-by-plate); refused with a named reason when the lane
     * cannot be sure ({@link ParkingService#departTicketless}). The read is used once.
     */
    public synchronized Exit exitTicketless() {
        PlateRead read = plateReads.newest(lane.id()).orElse(null);
        Exit exit = released(System.nanoTime(), () -> parking.departTicketless(lane.id(), read));
        plateReads.consume(lane.id(), read);
        return exit;
    }

    /** An exit without a ticket, identified by plate, billed at least the lost-ticket fee. */
    public synchronized Exit exitLostTicket(String plate, String paymentMethod) {
        return released(System.nanoTime(), () -> parking.departLostTicket(lane.id(), plate, paymentMethod));
    }

    private Exit released(long started, java.util.function.Supplier<ParkingService.Departure> depart) {
        ParkingService.Departure departure;
        try {
            requireDirection(EdgeSettings.Direction.EXIT);
            requireReady();
            departure = depart.get();
        } catch (ParkingException e) {
            refused(e, started);
            throw e;
        }
        lastRefusal = null;
        if (departure.gateOpens()) {
            openForPassage();
        }
        decisions.exited(lane.id(), departure, System.nanoTime() - started);
        return new Exit(departure, barrier.state());
    }

    private void refused(ParkingException e, long started) {
        decisions.refused(lane.id(), lane.direction(), e.code(), System.nanoTime() - started);
        // Shown by the lane's view when read; no change listener runs, so a refused request stores nothing.
        lastRefusal = new LaneView.Refusal(e.code(), e.getMessage(), clock.instant());
    }

    /** Raises the barrier by hand (operator, remote command); the caller audits who and why. */
    public synchronized BarrierState openManually(String reason, String by) {
        if (!barrier.raise()) {
            throw new ParkingException(Kind.UNAVAILABLE, "BARRIER_FAULT",
                    "barrier of lane " + lane.id() + " cannot open: " + barrier.fault().orElse("fault"));
        }
        LOG.info(() -> "lane " + lane.id() + " opened manually by " + by + ": " + reason);
        phase = Phase.GATE_OPEN;
        schedulePassageTimeout();
        changed();
        return barrier.state();
    }

    public synchronized LaneView view() {
        return new LaneView(lane.id(), lane.direction(), barrier.state().name(), phase, arming.present(),
                safety.present(), barrier.fault().orElse(null), updatedAt, lastRefusal);
    }

    public void onChange(Consumer<LaneView> listener) {
        listeners.add(listener);
    }

    private void requireDirection(EdgeSettings.Direction expected) {
        if (lane.direction() != expected) {
            throw new ParkingException(Kind.CONFLICT, "WRONG_DIRECTION",
                    "lane " + lane.id() + " is an " + lane.direction().name().toLowerCase() + " lane");
        }
    }

    private void requireReady() {
        if (barrier.state() == BarrierState.FAULT) {
            throw new ParkingException(Kind.UNAVAILABLE, "BARRIER_FAULT",
                    "barrier of lane " + lane.id() + " is faulty: " + barrier.fault().orElse("unknown"));
        }
        if (phase == Phase.GATE_OPEN || phase == Phase.VEHICLE_PASSING) {
            throw new ParkingException(Kind.CONFLICT, "LANE_BUSY",
                    "lane " + lane.id() + " is still letting the previous vehicle through");
        }
    }

    private void openForPassage() {
        if (!barrier.raise()) {
            LOG.warning(() -> "lane " + lane.id() + ": barrier did not open (" + barrier.fault().orElse("?") + ")");
            return;
        }
        phase = Phase.GATE_OPEN;
        schedulePassageTimeout();
        changed();
    }

    private void schedulePassageTimeout() {
        cancelPassageTimeout();
        passageTimer = timer.schedule(this::passageTimedOut, passageTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelPassageTimeout() {
        if (passageTimer != null) {
            passageTimer.cancel(false);
            passageTimer = null;
        }
    }

    private synchronized void passageTimedOut() {
        if (phase == Phase.GATE_OPEN) {
            LOG.info(() -> "lane " + lane.id() + ": nobody drove through within " + passageTimeout + ", closing");
            barrier.lower();
            phase = arming.present() ? Phase.VEHICLE_WAITING : Phase.IDLE;
            changed();
        }
    }

    private synchronized void onArming(boolean present) {
        if (present && phase == Phase.IDLE) {
            phase = Phase.VEHICLE_WAITING;
        } else if (!present && phase == Phase.VEHICLE_WAITING) {
            phase = Phase.IDLE;
        }
        changed();
    }

    private synchronized void onSafety(boolean present) {
        if (present && phase == Phase.GATE_OPEN) {
            phase = Phase.VEHICLE_PASSING;
            cancelPassageTimeout();
        } else if (!present && phase == Phase.VEHICLE_PASSING) {
            barrier.lower();
            phase = arming.present() ? Phase.VEHICLE_WAITING : Phase.IDLE;
        }
        changed();
    }

    private void changed() {
        LaneView v;
        synchronized (this) {
            updatedAt = clock.instant();
            v = view();
        }
        for (Consumer<LaneView> l : listeners) {
            try {
                l.accept(v);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "lane listener failed", e);
            }
        }
    }
}
