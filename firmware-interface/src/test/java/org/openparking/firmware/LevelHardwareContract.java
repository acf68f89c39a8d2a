package org.openparking.firmware;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.openparking.firmware.BarrierState.CLOSED;
import static org.openparking.firmware.BarrierState.CLOSING;
import static org.openparking.firmware.BarrierState.FAULT;
import static org.openparking.firmware.BarrierState.OPEN;
import static org.openparking.firmware.BarrierState.OPENING;

/**
 * What every {@link LevelHardware} must do, run against the simulated level and the Pi4J level on Pi4J's
 * mock provider. Subclasses say how to play the physical world: cars on loops, a broken drive.
 */
abstract class LevelHardwareContract {
    static final String LANE = "L1";
    static final Duration DEBOUNCE = Duration.ofMillis(100);
    /** Long against the debounce, so a car detected while the arm closes is seen before it is down. */
    static final Duration TRAVEL = Duration.ofMillis(500);
    static final HardwareConfig.LaneWiring LANE_WIRING = new HardwareConfig.LaneWiring(LANE, 17, 5, 6, 13, 22, 27);
    static final List<HardwareConfig.SpotWiring> SPOTS = List.of(
            new HardwareConfig.SpotWiring("S1", 23), new HardwareConfig.SpotWiring("S2", 24));
    static final HardwareConfig.SignWiring SIGN = new HardwareConfig.SignWiring(20, 21, 16);
    static final HardwareConfig.RampWiring RAMP = new HardwareConfig.RampWiring("R1", 25, 26);

    protected LevelHardware hardware;
    private BarrierGate barrier;
    private final List<BarrierState> states = new CopyOnWriteArrayList<>();

    static HardwareConfig config(HardwareConfig.Mode mode) {
        return new HardwareConfig(mode, DEBOUNCE, TRAVEL, List.of(LANE_WIRING), SPOTS, SIGN, List.of(RAMP));
    }

    /** Build the hardware under test from {@link #config}. */
    protected abstract LevelHardware start();

    protected abstract void safetyLoop(boolean present);

    protected abstract void armingLoop(boolean present);

    protected abstract void spot(String spotId, boolean occupied);

    protected abstract void rampLoop(RampDetector.Loop loop, boolean present);

    /** The drive jams or reports a fault. */
    protected abstract void breakDrive();

    /** A technician fixed the drive. */
    protected abstract void repairDrive();

    protected abstract boolean hasSimulator();

    protected void afterClose() {
    }

    @BeforeEach
    void startHardware() {
        hardware = start();
        barrier = hardware.barrier(LANE);
        barrier.onStateChange(states::add);
    }

    @AfterEach
    void closeHardware() {
        hardware.close();
        afterClose();
    }

    @Test
    void raiseAndLowerGoThroughEveryState() {
        assertThat(barrier.state(), is(CLOSED));
        assertThat(barrier.raise(), is(true));
        awaitState(OPEN);
        assertThat(barrier.raise(), is(true));
        assertThat(barrier.lower(), is(true));
        awaitState(CLOSED);
        assertThat(states, contains(OPENING, OPEN, CLOSING, CLOSED));
        assertThat(barrier.fault().isEmpty(), is(true));
    }

    @Test
    void lowerIsHeldWhileAVehicleIsOnTheSafetyLoopAndRunsOnceItClears() {
        barrier.raise();
        awaitState(OPEN);
        safetyLoop(true);
        await().until(() -> hardware.safetyLoop(LANE).present());

        assertThat(barrier.lower(), is(false));
        await().during(TRAVEL).atMost(Duration.ofSeconds(5)).until(() -> barrier.state() == OPEN);

        safetyLoop(false);
        awaitState(CLOSED);
        assertThat(states, contains(OPENING, OPEN, CLOSING, CLOSED));
    }

    @Test
    void aVehicleArrivingWhileTheArmClosesSendsItBackUpAndItClosesOnceClear() {
        barrier.raise();
        awaitState(OPEN);
        assertThat(barrier.lower(), is(true));
        safetyLoop(true);
        awaitState(OPEN);
        assertThat(states, contains(OPENING, OPEN, CLOSING, OPENING, OPEN));

        safetyLoop(false);
        awaitState(CLOSED);
        assertThat(states, contains(OPENING, OPEN, CLOSING, OPENING, OPEN, CLOSING, CLOSED));
    }

    @Test
    void aFaultRefusesEveryMoveUntilReset() {
        breakDrive();
        awaitState(FAULT);
        assertThat(barrier.fault().isPresent(), is(true));
        assertThat(barrier.raise(), is(false));
        assertThat(barrier.lower(), is(false));
        assertThat(barrier.state(), is(FAULT));

        repairDrive();
        resetOnceRepaired();
        awaitState(CLOSED);
        assertThat(barrier.fault().isEmpty(), is(true));
        assertThat(barrier.raise(), is(true));
        awaitState(OPEN);
    }

    @Test
    void resetWithAVehicleUnderTheArmRaisesItFirst() {
        safetyLoop(true);
        await().until(() -> hardware.safetyLoop(LANE).present());
        breakDrive();
        awaitState(FAULT);
        repairDrive();
        resetOnceRepaired();
        awaitState(OPEN);

        safetyLoop(false);
        awaitState(CLOSED);
        assertThat(states, contains(FAULT, OPENING, OPEN, CLOSING, CLOSED));
    }

    @Test
    void aGlitchShorterThanTheDebounceIsNotReportedAndAStableChangeIs() {
        VehicleDetector arming = hardware.armingLoop(LANE);
        List<Boolean> reported = new CopyOnWriteArrayList<>();
        arming.onChange(reported::add);

        armingLoop(true);
        armingLoop(false);
        await().during(DEBOUNCE.multipliedBy(4)).atMost(Duration.ofSeconds(5))
                .until(() -> reported.isEmpty() && !arming.present());

        armingLoop(true);
        await().until(arming::present);
        armingLoop(false);
        await().until(() -> !arming.present());
        assertThat(reported, contains(true, false));
    }

    @Test
    void spotSensorsReportDebouncedOccupancy() {
        assertThat(hardware.spotSensors().stream().map(SpotSensor::spotId).toList(), contains("S1", "S2"));
        SpotSensor s2 = hardware.spotSensor("S2");
        List<Boolean> reported = new CopyOnWriteArrayList<>();
        s2.onChange(reported::add);

        spot("S2", true);
        spot("S2", false);
        await().during(DEBOUNCE.multipliedBy(4)).atMost(Duration.ofSeconds(5)).until(reported::isEmpty);

        spot("S2", true);
        await().until(s2::occupied);
        assertThat(reported, contains(true));
        assertThat(hardware.spotSensor("S1").occupied(), is(false));
    }

    @Test
    void aRampReportsTheDirectionOfEachPassageAndNothingForACarThatTurnsBack() {
        RampDetector ramp = hardware.ramp("R1");
        assertThat(hardware.ramps().stream().map(RampDetector::rampId).toList(), contains("R1"));
        List<RampDetector.Passage> reported = new CopyOnWriteArrayList<>();
        ramp.onPassage(reported::add);

        playRamp(reported, RampDetector.Loop.OUTER, RampDetector.Loop.INNER, RampDetector.Loop.OUTER,
                RampDetector.Loop.INNER);
        await().until(() -> reported.size() == 1);
        playRamp(reported, RampDetector.Loop.INNER, RampDetector.Loop.OUTER, RampDetector.Loop.INNER,
                RampDetector.Loop.OUTER);
        await().until(() -> reported.size() == 2);
        playRamp(reported, RampDetector.Loop.OUTER, RampDetector.Loop.INNER, RampDetector.Loop.INNER,
                RampDetector.Loop.OUTER);
        await().until(() -> reported.size() == 3);
        assertThat(reported, contains(RampDetector.Passage.IN, RampDetector.Passage.OUT,
                RampDetector.Passage.TURNED_BACK));
        assertThat(ramp.occupied(), is(false));
        assertThrows(IllegalArgumentException.class, () -> hardware.ramp("R9"));
    }

    /**
     * Covers two loops, then clears two, holding each step past the debounce; nothing may be reported while
     * the car is still on a loop.
     */
    private void playRamp(List<RampDetector.Passage> reported, RampDetector.Loop on1, RampDetector.Loop on2,
                          RampDetector.Loop off1, RampDetector.Loop off2) {
        RampDetector ramp = hardware.ramp("R1");
        int before = reported.size();
        rampLoop(on1, true);
        await().until(ramp::occupied);
        rampLoop(on2, true);
        await().during(DEBOUNCE.multipliedBy(3)).atMost(Duration.ofSeconds(5)).until(() -> reported.size() == before);
        rampLoop(off1, false);
        await().during(DEBOUNCE.multipliedBy(3)).atMost(Duration.ofSeconds(5)).until(() -> reported.size() == before);
        rampLoop(off2, false);
        await().until(() -> !ramp.occupied());
    }

    @Test
    void theSignShowsWhatWasLastWrittenAndStartsBlank() {
        LevelSign sign = hardware.sign();
        assertThat(sign.showing(), equalTo(new SignContent.Blank()));
        for (SignContent content : List.of(new SignContent.Free(42), new SignContent.Full(),
                new SignContent.Closed(), new SignContent.Free(12345), new SignContent.Blank())) {
            sign.show(content);
            assertThat(sign.showing(), equalTo(content));
        }
        assertThrows(NullPointerException.class, () -> sign.show(null));
    }

    @Test
    void thePrinterAcceptsATicketAndRefusesABlankOne() {
        TicketPrinter printer = hardware.ticketPrinter(LANE);
        assertThat(printer.laneId(), is(LANE));
        printer.print("T1.signed");
        assertThrows(IllegalArgumentException.class, () -> printer.print(" "));
        assertThrows(IllegalArgumentException.class, () -> printer.print(null));
    }

    @Test
    void detectorsKnowTheirLaneAndKind() {
        assertThat(hardware.armingLoop(LANE).kind(), is(VehicleDetector.Kind.ARMING));
        assertThat(hardware.safetyLoop(LANE).kind(), is(VehicleDetector.Kind.SAFETY));
        assertThat(hardware.safetyLoop(LANE).laneId(), is(LANE));
        assertThat(barrier.laneId(), is(LANE));
    }

    @Test
    void unknownIdsAreRefusedWithTheirName() {
        IllegalArgumentException lane = assertThrows(IllegalArgumentException.class, () -> hardware.barrier("L9"));
        assertThat(lane.getMessage(), startsWith("unknown lane: L9"));
        assertThrows(IllegalArgumentException.class, () -> hardware.safetyLoop("L9"));
        assertThrows(IllegalArgumentException.class, () -> hardware.ticketPrinter("L9"));
        assertThrows(IllegalArgumentException.class, () -> hardware.spotSensor("S9"));
        assertThat(hardware.simulator().isPresent(), is(hasSimulator()));
    }

    /** A drive input is debounced too, so a reset right after the repair may still see the fault. */
    private void resetOnceRepaired() {
        await().ignoreException(HardwareException.class).until(() -> {
            barrier.resetFault();
            return true;
        });
    }

    private void awaitState(BarrierState expected) {
        await().atMost(Duration.ofSeconds(5)).until(barrier::state, is(expected));
    }
}
