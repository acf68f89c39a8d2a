package org.openparking.firmware;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A level in memory. Inputs set through {@link SimulatedLevel} go through the same debounce and interlock
 * as pins do; the arm takes {@code barrierTravel} to move.
 */
final class SimulatedLevelHardware extends BaseLevelHardware implements SimulatedLevel {
    private record SimulatedLane(Debouncer armingLoop, Debouncer safetyLoop, SimulatedBarrierDrive drive,
                                 SimulatedTicketPrinter printer) {
    }

    private final ExecutorScheduler scheduler;
    private final Map<String, SimulatedLane> simulatedLanes;
    private final Map<String, Debouncer> spotInputs;
    private final Map<String, RampDirection> simulatedRamps;
    /** How long each step of a simulated ramp passage holds: past the debounce, so every step is seen. */
    private final Duration rampStep;
    /** Per ramp, the passages still to play, the one playing first. */
    private final Map<String, java.util.ArrayDeque<List<Runnable>>> rampQueues = new java.util.HashMap<>();

    private SimulatedLevelHardware(Map<String, Lane> lanes, List<SpotSensor> spots, ExecutorScheduler scheduler,
                                   Map<String, SimulatedLane> simulatedLanes, Map<String, Debouncer> spotInputs,
                                   Map<String, RampDirection> simulatedRamps, Duration debounce) {
        super(lanes, spots, new StoredSign(), List.copyOf(simulatedRamps.values()));
        this.scheduler = scheduler;
        this.simulatedLanes = simulatedLanes;
        this.spotInputs = spotInputs;
        this.simulatedRamps = simulatedRamps;
        this.rampStep = debounce.multipliedBy(2).plusMillis(5);
    }

    static SimulatedLevelHardware create(HardwareConfig config) {
        ExecutorScheduler scheduler = new ExecutorScheduler("simulated-level-hardware");
        Map<String, Lane> lanes = new LinkedHashMap<>();
        Map<String, SimulatedLane> simulatedLanes = new LinkedHashMap<>();
        for (HardwareConfig.LaneWiring wiring : config.lanes()) {
            String laneId = wiring.laneId();
            Debouncer arming = new Debouncer(false, config.debounce(), scheduler);
            Debouncer safety = new Debouncer(false, config.debounce(), scheduler);
            VehicleDetector safetyLoop = new DebouncedDetector(laneId, VehicleDetector.Kind.SAFETY, safety);
            SimulatedBarrierDrive drive = new SimulatedBarrierDrive(scheduler, config.barrierTravel());
            SimulatedTicketPrinter printer = new SimulatedTicketPrinter(laneId);
            // No confirm timeout: the simulated arm always arrives, a timeout could only misfire under load.
            BarrierGate barrier = InterlockedBarrier.create(laneId, drive, safetyLoop, scheduler, Duration.ZERO);
            lanes.put(laneId, new Lane(barrier, new DebouncedDetector(laneId, VehicleDetector.Kind.ARMING, arming),
                    safetyLoop, printer));
            simulatedLanes.put(laneId, new SimulatedLane(arming, safety, drive, printer));
        }
        List<SpotSensor> spots = new ArrayList<>();
        Map<String, Debouncer> spotInputs = new LinkedHashMap<>();
        for (HardwareConfig.SpotWiring wiring : config.spots()) {
            Debouncer input = new Debouncer(false, config.debounce(), scheduler);
            spots.add(new DebouncedSpotSensor(wiring.spotId(), input));
            spotInputs.put(wiring.spotId(), input);
        }
        Map<String, RampDirection> ramps = new LinkedHashMap<>();
        for (HardwareConfig.RampWiring wiring : config.ramps()) {
            ramps.put(wiring.rampId(), new RampDirection(wiring.rampId(),
                    new Debouncer(false, config.debounce(), scheduler),
                    new Debouncer(false, config.debounce(), scheduler), wiring.gap(), scheduler));
        }
        return new SimulatedLevelHardware(lanes, spots, scheduler, simulatedLanes, spotInputs, ramps,
                config.debounce());
    }

    @Override
    public Optional<SimulatedLevel> simulator() {
        return Optional.of(this);
    }

    @Override
    public void close() {
        scheduler.close();
    }

    @Override
    public void setArmingLoop(String laneId, boolean present) {
        simulatedLane(laneId).armingLoop().input(present);
    }

    @Override
    public void setSafetyLoop(String laneId, boolean present) {
        simulatedLane(laneId).safetyLoop().input(present);
    }

    @Override
    public void setSpot(String spotId, boolean occupied) {
        Debouncer input = spotId == null ? null : spotInputs.get(spotId);
        if (input == null) {
            throw new IllegalArgumentException("unknown spot: " + spotId);
        }
        input.input(occupied);
    }

    @Override
    public void setRampLoop(String rampId, RampDetector.Loop loop, boolean present) {
        simulatedRamp(rampId).input(loop).input(present);
    }

    @Override
    public void driveRamp(String rampId, RampDetector.Passage passage) {
        RampDirection ramp = simulatedRamp(rampId);
        RampDetector.Loop from = passage == RampDetector.Passage.OUT ? RampDetector.Loop.INNER : RampDetector.Loop.OUTER;
        RampDetector.Loop to = from == RampDetector.Loop.OUTER ? RampDetector.Loop.INNER : RampDetector.Loop.OUTER;
        // a car leaves over the loop it cleared last: the far one, or the one it came by if it turned back
        RampDetector.Loop clearsFirst = passage == RampDetector.Passage.TURNED_BACK ? to : from;
        RampDetector.Loop clearsLast = clearsFirst == from ? to : from;
        List<Runnable> steps = List.of(
                () -> ramp.input(from).input(true),
                () -> ramp.input(to).input(true),
                () -> ramp.input(clearsFirst).input(false),
                () -> ramp.input(clearsLast).input(false));
        synchronized (rampQueues) {
            java.util.ArrayDeque<List<Runnable>> queue = rampQueues.computeIfAbsent(rampId,
                    k -> new java.util.ArrayDeque<>());
            queue.add(steps);
            if (queue.size() == 1) {
                scheduler.schedule(Duration.ZERO, () -> playRampStep(rampId, 0));
            }
        }
    }

    /**
     * Plays step {@code i} of the ramp's current passage and schedules the next one {@code rampStep} after it
     * actually ran. The debounce timer of this step is then always due before the next step, however late the
     * timer thread runs, so a busy machine cannot squeeze a car into a glitch.
     */
    private void playRampStep(String rampId, int i) {
        List<Runnable> steps;
        synchronized (rampQueues) {
            steps = rampQueues.get(rampId).peek();
        }
        steps.get(i).run();
        if (i + 1 < steps.size()) {
            scheduler.schedule(rampStep, () -> playRampStep(rampId, i + 1));
            return;
        }
        synchronized (rampQueues) {
            java.util.ArrayDeque<List<Runnable>> queue = rampQueues.get(rampId);
            queue.poll();
            if (!queue.isEmpty()) {
                scheduler.schedule(rampStep, () -> playRampStep(rampId, 0));
            }
        }
    }

    @Override
    public void injectBarrierFault(String laneId, String reason) {
        simulatedLane(laneId).drive().jam(reason);
    }

    @Override
    public void injectPrinterFault(String laneId, String reason) {
        simulatedLane(laneId).printer().fault(reason);
    }

    @Override
    public List<String> printed(String laneId) {
        return simulatedLane(laneId).printer().printed();
    }

    private RampDirection simulatedRamp(String rampId) {
        ramp(rampId); // same error for an unknown ramp as every other lookup
        return simulatedRamps.get(rampId);
    }

    private SimulatedLane simulatedLane(String laneId) {
        lane(laneId); // same error for an unknown lane as every other lookup
        return simulatedLanes.get(laneId);
    }
}
