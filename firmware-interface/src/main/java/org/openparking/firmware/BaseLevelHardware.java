package org.openparking.firmware;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Lookups shared by both implementations; maps are built once and never change. */
abstract class BaseLevelHardware implements LevelHardware {
    record Lane(BarrierGate barrier, VehicleDetector armingLoop, VehicleDetector safetyLoop, TicketPrinter printer) {
    }

    private final Map<String, Lane> lanes;
    private final Map<String, SpotSensor> spots;
    private final List<SpotSensor> spotsInOrder;
    private final LevelSign sign;
    private final Map<String, RampDetector> ramps;
    private final List<RampDetector> rampsInOrder;

    BaseLevelHardware(Map<String, Lane> lanes, List<SpotSensor> spots, LevelSign sign, List<RampDetector> ramps) {
        this.rampsInOrder = List.copyOf(ramps);
        this.ramps = ramps.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(RampDetector::rampId, r -> r));
        this.lanes = Map.copyOf(lanes);
        this.spotsInOrder = List.copyOf(spots);
        this.spots = spots.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(SpotSensor::spotId, s -> s));
        this.sign = sign;
    }

    @Override
    public BarrierGate barrier(String laneId) {
        return lane(laneId).barrier();
    }

    @Override
    public VehicleDetector armingLoop(String laneId) {
        return lane(laneId).armingLoop();
    }

    @Override
    public VehicleDetector safetyLoop(String laneId) {
        return lane(laneId).safetyLoop();
    }

    @Override
    public TicketPrinter ticketPrinter(String laneId) {
        return lane(laneId).printer();
    }

    @Override
    public SpotSensor spotSensor(String spotId) {
        SpotSensor sensor = spotId == null ? null : spots.get(spotId);
        if (sensor == null) {
            throw new IllegalArgumentException("unknown spot: " + spotId);
        }
        return sensor;
    }

    @Override
    public Collection<SpotSensor> spotSensors() {
        return spotsInOrder;
    }

    @Override
    public LevelSign sign() {
        return sign;
    }

    @Override
    public RampDetector ramp(String rampId) {
        RampDetector ramp = rampId == null ? null : ramps.get(rampId);
        if (ramp == null) {
            throw new IllegalArgumentException("unknown ramp: " + rampId);
        }
        return ramp;
    }

    @Override
    public Collection<RampDetector> ramps() {
        return rampsInOrder;
    }

    Lane lane(String laneId) {
        Lane lane = laneId == null ? null : lanes.get(laneId);
        if (lane == null) {
            throw new IllegalArgumentException("unknown lane: " + laneId);
        }
        return lane;
    }
}
