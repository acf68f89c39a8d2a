package org.openparking.firmware;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A level on GPIO through Pi4J: every input (loops, spots, limit switches, fault lines) is debounced in
 * software; outputs are the barrier raise pins, the TM1637 sign's clock and data, and the FULL lamp.
 */
final class Pi4jLevelHardware extends BaseLevelHardware {
    private static final Logger LOG = Logger.getLogger(Pi4jLevelHardware.class.getName());
    /** TM1637 timing: a few microseconds per line level is within the chip's limits with margin. */
    private static final long TM1637_HALF_PERIOD_NANOS = 5_000;

    private final Context pi4j;
    private final boolean ownsContext;
    private final ExecutorScheduler scheduler;
    private final List<String> ioIds;

    private Pi4jLevelHardware(Map<String, Lane> lanes, List<SpotSensor> spots, LevelSign sign,
                              List<RampDetector> ramps, Context pi4j, boolean ownsContext,
                              ExecutorScheduler scheduler, List<String> ioIds) {
        super(lanes, spots, sign, ramps);
        this.pi4j = pi4j;
        this.ownsContext = ownsContext;
        this.scheduler = scheduler;
        this.ioIds = ioIds;
    }

    /** The Pi4J id of the IO on a BCM pin; pins are unique per level, so is this. */
    static String ioId(int pin) {
        return "gpio" + pin;
    }

    /** @param ownsContext whether {@link #close()} shuts the whole context down or only releases this level's pins */
    static Pi4jLevelHardware create(HardwareConfig config, Context pi4j, boolean ownsContext) {
        ExecutorScheduler scheduler = new ExecutorScheduler("pi4j-level-hardware");
        Pins pins = new Pins(pi4j, config, scheduler);
        try {
            Map<String, Lane> lanes = new LinkedHashMap<>();
            for (HardwareConfig.LaneWiring wiring : config.lanes()) {
                String laneId = wiring.laneId();
                Debouncer safety = pins.input(wiring.safetyLoopPin(), "lane " + laneId + " safety loop");
                VehicleDetector safetyLoop = new DebouncedDetector(laneId, VehicleDetector.Kind.SAFETY, safety);
                VehicleDetector armingLoop = new DebouncedDetector(laneId, VehicleDetector.Kind.ARMING,
                        pins.input(wiring.armingLoopPin(), "lane " + laneId + " arming loop"));
                Pi4jBarrierDrive drive = new Pi4jBarrierDrive(
                        pins.output(wiring.raisePin(), "lane " + laneId + " barrier raise", DigitalState.LOW),
                        pins.input(wiring.openLimitPin(), "lane " + laneId + " open limit"),
                        pins.input(wiring.closedLimitPin(), "lane " + laneId + " closed limit"),
                        pins.input(wiring.faultPin(), "lane " + laneId + " drive fault"),
                        wiring.faultPin(), scheduler);
                BarrierGate barrier = InterlockedBarrier.create(laneId, drive, safetyLoop, scheduler,
                        config.barrierTravel().multipliedBy(2));
                lanes.put(laneId, new Lane(barrier, armingLoop, safetyLoop, new UnwiredTicketPrinter(laneId)));
            }
            List<SpotSensor> spots = new ArrayList<>();
            for (HardwareConfig.SpotWiring wiring : config.spots()) {
                spots.add(new DebouncedSpotSensor(wiring.spotId(),
                        pins.input(wiring.pin(), "spot " + wiring.spotId())));
            }
            List<RampDetector> ramps = new ArrayList<>();
            for (HardwareConfig.RampWiring wiring : config.ramps()) {
                String name = "ramp " + wiring.rampId();
                ramps.add(new RampDirection(wiring.rampId(), pins.input(wiring.outerLoopPin(), name + " outer loop"),
                        pins.input(wiring.innerLoopPin(), name + " inner loop"), wiring.gap(), scheduler));
            }
            LevelSign sign = new StoredSign();
            HardwareConfig.SignWiring signWiring = config.sign();
            if (signWiring != null) {
                Tm1637 display = new Tm1637(
                        pins.output(signWiring.clockPin(), "sign clock", DigitalState.HIGH),
                        pins.output(signWiring.dataPin(), "sign data", DigitalState.HIGH),
                        TM1637_HALF_PERIOD_NANOS, 7);
                sign = new Pi4jLevelSign(display, pins.output(signWiring.fullLampPin(), "sign FULL lamp",
                        DigitalState.LOW));
            }
            return new Pi4jLevelHardware(lanes, spots, sign, ramps, pi4j, ownsContext, scheduler,
                    List.copyOf(pins.ids));
        } catch (RuntimeException e) {
            release(pi4j, pins.ids);
            scheduler.close();
            if (ownsContext) {
                shutdownQuietly(pi4j);
            }
            throw e instanceof HardwareException h ? h : new HardwareException("cannot set up GPIO: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<SimulatedLevel> simulator() {
        return Optional.empty();
    }

    @Override
    public void close() {
        scheduler.close();
        if (ownsContext) {
            shutdownQuietly(pi4j);
        } else {
            release(pi4j, ioIds);
        }
    }

    private static void release(Context pi4j, List<String> ioIds) {
        for (String id : ioIds) {
            try {
                pi4j.shutdown(id);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot release " + id, e);
            }
        }
    }

    private static void shutdownQuietly(Context pi4j) {
        try {
            pi4j.shutdown();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Pi4J shutdown failed", e);
        }
    }

    /** Creates pins and remembers their ids so a failed setup or a close can release them. */
    private static final class Pins {
        private final Context pi4j;
        private final HardwareConfig config;
        private final Scheduler scheduler;
        private final List<String> ids;

        Pins(Context pi4j, HardwareConfig config, Scheduler scheduler) {
            this.pi4j = pi4j;
            this.config = config;
            this.scheduler = scheduler;
            this.ids = new ArrayList<>();
        }

        Debouncer input(int pin, String name) {
            DigitalInput input = pi4j.create(DigitalInput.newConfigBuilder(pi4j)
                    .id(ioId(pin)).name(name).address(pin).pull(PullResistance.PULL_DOWN));
            ids.add(input.id());
            Debouncer debouncer = new Debouncer(input.isHigh(), config.debounce(), scheduler);
            input.addListener(event -> debouncer.input(event.state() == DigitalState.HIGH));
            return debouncer;
        }

        DigitalOutput output(int pin, String name, DigitalState initial) {
            DigitalOutput output = pi4j.create(DigitalOutput.newConfigBuilder(pi4j)
                    .id(ioId(pin)).name(name).address(pin).initial(initial));
            ids.add(output.id());
            return output;
        }
    }
}
