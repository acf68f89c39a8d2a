package org.openparking.firmware;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.IOType;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;

/** Builds a level's hardware for the configured mode. */
public final class HardwareFactory {
    private static final Logger LOG = Logger.getLogger(HardwareFactory.class.getName());

    private HardwareFactory() {
    }

    /**
     * SIMULATED: in-memory devices driven through {@link LevelHardware#simulator()}. PI4J: GPIO through a
     * Pi4J auto context (the gpiod provider on a Raspberry Pi), shut down by {@link LevelHardware#close()}.
     *
     * @throws IllegalArgumentException if the wiring repeats a lane, spot or pin
     * @throws HardwareException        if the GPIO cannot be set up
     */
    public static LevelHardware create(HardwareConfig config) {
        validate(config);
        return switch (config.mode()) {
            case SIMULATED -> SimulatedLevelHardware.create(config);
            case PI4J -> {
                Context pi4j;
                try {
                    pi4j = Pi4J.newAutoContext();
                } catch (RuntimeException e) {
                    throw new HardwareException("cannot start Pi4J: " + e.getMessage(), e);
                }
                warnIfMock(pi4j);
                yield Pi4jLevelHardware.create(config, pi4j, true);
            }
        };
    }

    /**
     * PI4J hardware on a context the caller owns, such as one built from Pi4J's mock providers in tests.
     * {@link LevelHardware#close()} releases this level's pins and leaves the context running.
     */
    public static LevelHardware create(HardwareConfig config, Context pi4j) {
        Objects.requireNonNull(pi4j, "pi4j");
        if (config.mode() != HardwareConfig.Mode.PI4J) {
            throw new IllegalArgumentException("a Pi4J context needs hardware mode PI4J, not " + config.mode());
        }
        validate(config);
        return Pi4jLevelHardware.create(config, pi4j, false);
    }

    // Pi4J's auto context prefers the mock plugin when it is on the classpath: a barrier would silently do nothing.
    private static void warnIfMock(Context pi4j) {
        try {
            String provider = pi4j.provider(IOType.DIGITAL_OUTPUT).id();
            if (provider.startsWith("mock")) {
                LOG.warning("hardware mode PI4J is using Pi4J's " + provider
                        + " provider: no pin will move; remove pi4j-plugin-mock from the runtime classpath");
            }
        } catch (RuntimeException noProvider) {
            // reported when the first pin is created
        }
    }

    private static void validate(HardwareConfig config) {
        Objects.requireNonNull(config, "config");
        Set<String> lanes = new HashSet<>();
        Set<String> spots = new HashSet<>();
        Set<Integer> pins = new HashSet<>();
        boolean gpio = config.mode() == HardwareConfig.Mode.PI4J;
        for (HardwareConfig.LaneWiring lane : config.lanes()) {
            if (!lanes.add(lane.laneId())) {
                throw new IllegalArgumentException("lane " + lane.laneId() + " is wired twice");
            }
            if (gpio) {
                String what = "lane " + lane.laneId();
                claim(pins, lane.raisePin(), what + " raise");
                claim(pins, lane.openLimitPin(), what + " open limit");
                claim(pins, lane.closedLimitPin(), what + " closed limit");
                claim(pins, lane.faultPin(), what + " fault");
                claim(pins, lane.armingLoopPin(), what + " arming loop");
                claim(pins, lane.safetyLoopPin(), what + " safety loop");
            }
        }
        for (HardwareConfig.SpotWiring spot : config.spots()) {
            if (!spots.add(spot.spotId())) {
                throw new IllegalArgumentException("spot " + spot.spotId() + " is wired twice");
            }
            if (gpio) {
                claim(pins, spot.pin(), "spot " + spot.spotId());
            }
        }
        Set<String> ramps = new HashSet<>();
        for (HardwareConfig.RampWiring ramp : config.ramps()) {
            if (!ramps.add(ramp.rampId())) {
                throw new IllegalArgumentException("ramp " + ramp.rampId() + " is wired twice");
            }
            if (gpio) {
                claim(pins, ramp.outerLoopPin(), "ramp " + ramp.rampId() + " outer loop");
                claim(pins, ramp.innerLoopPin(), "ramp " + ramp.rampId() + " inner loop");
            }
        }
        if (gpio && config.sign() != null) {
            claim(pins, config.sign().clockPin(), "sign clock");
            claim(pins, config.sign().dataPin(), "sign data");
            claim(pins, config.sign().fullLampPin(), "sign FULL lamp");
        }
    }

    private static void claim(Set<Integer> pins, int pin, String what) {
        if (pin < 0) {
            throw new IllegalArgumentException(what + ": GPIO pin must not be negative: " + pin);
        }
        if (!pins.add(pin)) {
            throw new IllegalArgumentException(what + ": GPIO " + pin + " is already used by another device");
        }
    }
}
