package org.openparking.firmware;

import java.util.Collection;

/**
 * All devices of one level, built once from {@link HardwareConfig} by {@link HardwareFactory}.
 * Lookups of an unknown id throw {@link IllegalArgumentException}.
 */
public interface LevelHardware extends AutoCloseable {
    BarrierGate barrier(String laneId);

    VehicleDetector armingLoop(String laneId);

    VehicleDetector safetyLoop(String laneId);

    TicketPrinter ticketPrinter(String laneId);

    SpotSensor spotSensor(String spotId);

    Collection<SpotSensor> spotSensors();

    LevelSign sign();

    RampDetector ramp(String rampId);

    /** In configuration order; empty on a level without ramp counters. */
    Collection<RampDetector> ramps();

    /** The simulator's handle, present only in simulated mode. */
    java.util.Optional<SimulatedLevel> simulator();

    @Override
    void close();
}
