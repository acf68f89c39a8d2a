package org.openparking.firmware;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/** The interlock under any sequence of commands, cars and time, on virtual time. */
class InterlockPropertyTest {
    private static final Duration DEBOUNCE = Duration.ofMillis(50);
    private static final Duration TRAVEL = Duration.ofMillis(300);

    enum Step {
        RAISE, LOWER, CAR_ON_SAFETY_LOOP, SAFETY_LOOP_CLEAR, WAIT_A_LITTLE, WAIT_DEBOUNCE, WAIT_TRAVEL, JAM, RESET
    }

    private static final class Lane {
        final ManualScheduler clock = new ManualScheduler();
        final Debouncer safetyInput = new Debouncer(false, DEBOUNCE, clock);
        final VehicleDetector safetyLoop = new DebouncedDetector("L1", VehicleDetector.Kind.SAFETY, safetyInput);
        final SimulatedBarrierDrive drive = new SimulatedBarrierDrive(clock, TRAVEL);
        final InterlockedBarrier barrier = InterlockedBarrier.create("L1", drive, safetyLoop, clock,
                TRAVEL.multipliedBy(2));
        final List<String> violations = new ArrayList<>();

        Lane() {
            barrier.onStateChange(state -> {
                if ((state == BarrierState.CLOSING || state == BarrierState.CLOSED) && safetyLoop.present()) {
                    violations.add("moved to " + state + " with a vehicle on the safety loop");
                }
            });
        }

        void apply(Step step) {
            switch (step) {
                case RAISE -> barrier.raise();
                case LOWER -> barrier.lower();
                case CAR_ON_SAFETY_LOOP -> safetyInput.input(true);
                case SAFETY_LOOP_CLEAR -> safetyInput.input(false);
                case WAIT_A_LITTLE -> clock.advance(Duration.ofMillis(20));
                case WAIT_DEBOUNCE -> clock.advance(DEBOUNCE);
                case WAIT_TRAVEL -> clock.advance(TRAVEL);
                case JAM -> drive.jam("jammed");
                case RESET -> barrier.resetFault();
            }
            if (safetyLoop.present() && barrier.state() == BarrierState.CLOSING) {
                violations.add("CLOSING with a vehicle on the safety loop after " + step);
            }
        }
    }

    @Property
    void theArmNeverClosesOnAVehicle(@ForAll @Size(max = 60) List<Step> steps) {
        Lane lane = new Lane();
        steps.forEach(lane::apply);
        assertThat(lane.violations, empty());
    }

    @Property
    void aRequestedLoweringHappensOnceTheLoopClears(@ForAll @Size(max = 60) List<Step> steps) {
        Lane lane = new Lane();
        steps.forEach(lane::apply);
        lane.barrier.resetFault();
        lane.clock.advance(TRAVEL.multipliedBy(2));
        lane.barrier.raise();
        lane.clock.advance(TRAVEL);

        boolean accepted = lane.barrier.lower();
        lane.clock.advance(TRAVEL.multipliedBy(2));
        assertThat(lane.barrier.state(), is(accepted ? BarrierState.CLOSED : BarrierState.OPEN));

        lane.safetyInput.input(false);
        lane.clock.advance(DEBOUNCE.plus(TRAVEL).multipliedBy(2));
        assertThat(lane.barrier.state(), is(BarrierState.CLOSED));
        assertThat(lane.violations, empty());
    }
}
