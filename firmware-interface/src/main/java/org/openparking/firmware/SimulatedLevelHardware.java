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

    private SimulatedLevelHardware(Map<String, Lane> lanes, List<SpotSensor> spots, ExecutorScheduler scheduler,
                                   Map<String, SimulatedLane> simulatedLanes, Map<String, Debouncer> spotInputs) {
        super(lanes, spots, new StoredSign());
        this.scheduler = scheduler;
        this.simulatedLanes = simulatedLanes;
        this.spotInputs = spotInputs;
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
        return new SimulatedLevelHardware(lanes, spots, scheduler, simulatedLanes, spotInputs);
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

    private SimulatedLane simulatedLane(String laneId) {
        lane(laneId); // same error for an unknown lane as every other lookup
        return simulatedLanes.get(laneId);
    }
}
