package org.openparking.firmware;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Wiring of one level. Pins are BCM numbers and matter only in PI4J mode.
 *
 * @param mode          SIMULATED or PI4J
 * @param debounce      input changes shorter than this are ignored
 * @param barrierTravel how long an arm takes to move; a move not confirmed by then is a FAULT (PI4J), or the
 *                      simulated travel time
 * @param lanes         one entry per lane
 * @param spots         per-spot sensors; may be empty on a counting level
 * @param sign          the LED count sign's pins; null means no sign on this level
 * @param ramps         two-loop ramp counters of a counting level; may be empty
 */
public record HardwareConfig(Mode mode, Duration debounce, Duration barrierTravel, List<LaneWiring> lanes,
                             List<SpotWiring> spots, SignWiring sign, List<RampWiring> ramps) {
    public enum Mode { SIMULATED, PI4J }

    public HardwareConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(debounce, "debounce");
        Objects.requireNonNull(barrierTravel, "barrierTravel");
        if (debounce.isNegative() || barrierTravel.isNegative()) {
            throw new IllegalArgumentException("debounce and barrierTravel must not be negative");
        }
        lanes = List.copyOf(lanes);
        spots = List.copyOf(spots);
        ramps = List.copyOf(ramps == null ? List.of() : ramps);
    }

    /** A level without ramp counters. */
    public HardwareConfig(Mode mode, Duration debounce, Duration barrierTravel, List<LaneWiring> lanes,
                          List<SpotWiring> spots, SignWiring sign) {
        this(mode, debounce, barrierTravel, lanes, spots, sign, List.of());
    }

    /**
     * @param raisePin      output: high drives the arm up, low lets it down
     * @param openLimitPin  input: arm is fully up
     * @param closedLimitPin input: arm is fully down
     * @param faultPin      input: drive reports a fault (active high)
     * @param armingLoopPin input: vehicle on the arming loop (active high)
     * @param safetyLoopPin input: vehicle on the safety loop (active high)
     */
    public record LaneWiring(String laneId, int raisePin, int openLimitPin, int closedLimitPin, int faultPin,
                             int armingLoopPin, int safetyLoopPin) {
        public LaneWiring {
            if (laneId == null || laneId.isBlank()) {
                throw new IllegalArgumentException("laneId is required");
            }
        }
    }

    /** @param pin input: spot occupied (active high) */
    public record SpotWiring(String spotId, int pin) {
        public SpotWiring {
            if (spotId == null || spotId.isBlank()) {
                throw new IllegalArgumentException("spotId is required");
            }
        }
    }

    /** A TM1637 four-digit display (clock and data pins) and a FULL lamp. */
    public record SignWiring(int clockPin, int dataPin, int fullLampPin) {
    }

    /**
     * A ramp's two loops (see {@link RampDetector}).
     *
     * @param outerLoopPin input: vehicle on the loop away from the level (active high)
     * @param innerLoopPin input: vehicle on the loop on the level's side (active high)
     * @param gap          how long a car may take between clearing one loop and reaching the other when the
     *                     loops lie further apart than a car is long; zero when a car always covers both
     */
    public record RampWiring(String rampId, int outerLoopPin, int innerLoopPin, Duration gap) {
        public RampWiring {
            if (rampId == null || rampId.isBlank()) {
                throw new IllegalArgumentException("rampId is required");
            }
            gap = gap == null ? Duration.ZERO : gap;
            if (gap.isNegative()) {
                throw new IllegalArgumentException("ramp " + rampId + ": gap must not be negative");
            }
        }

        public RampWiring(String rampId, int outerLoopPin, int innerLoopPin) {
            this(rampId, outerLoopPin, innerLoopPin, Duration.ZERO);
        }
    }
}
