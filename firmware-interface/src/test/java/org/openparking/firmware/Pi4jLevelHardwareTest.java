package org.openparking.firmware;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Pi4jLevelHardwareTest extends LevelHardwareContract {
    /** The mock arm's travel, well inside the barrier's confirm timeout of twice TRAVEL. */
    private static final Duration MOTOR = Duration.ofMillis(200);

    private final Context pi4j = MockGpio.context();
    private final ScheduledExecutorService motorThread = Executors.newSingleThreadScheduledExecutor();
    private volatile boolean motorConnected = true;
    private ScheduledFuture<?> motion;

    @Override
    protected LevelHardware start() {
        LevelHardware level = HardwareFactory.create(config(HardwareConfig.Mode.PI4J), pi4j);
        // The arm starts down; from now on it follows the raise pin like a real motor with limit switches.
        set(LANE_WIRING.closedLimitPin(), true);
        MockGpio.output(pi4j, LANE_WIRING.raisePin()).addListener(event -> {
            if (motorConnected) {
                moveArm(event.state() == DigitalState.HIGH);
            }
        });
        return level;
    }

    private synchronized void moveArm(boolean up) {
        if (motion != null) {
            motion.cancel(false);
        }
        motorThread.execute(() -> {
            set(LANE_WIRING.openLimitPin(), false);
            set(LANE_WIRING.closedLimitPin(), false);
        });
        motion = motorThread.schedule(() -> set(up ? LANE_WIRING.openLimitPin() : LANE_WIRING.closedLimitPin(), true),
                MOTOR.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void afterClose() {
        motorThread.shutdownNow();
        pi4j.shutdown();
    }

    @Override
    protected void safetyLoop(boolean present) {
        set(LANE_WIRING.safetyLoopPin(), present);
    }

    @Override
    protected void armingLoop(boolean present) {
        set(LANE_WIRING.armingLoopPin(), present);
    }

    @Override
    protected void spot(String spotId, boolean occupied) {
        int pin = SPOTS.stream().filter(s -> s.spotId().equals(spotId)).findFirst().orElseThrow().pin();
        set(pin, occupied);
    }

    @Override
    protected void rampLoop(RampDetector.Loop loop, boolean present) {
        set(loop == RampDetector.Loop.OUTER ? RAMP.outerLoopPin() : RAMP.innerLoopPin(), present);
    }

    @Override
    protected void breakDrive() {
        set(LANE_WIRING.faultPin(), true);
    }

    @Override
    protected void repairDrive() {
        set(LANE_WIRING.faultPin(), false);
    }

    @Override
    protected boolean hasSimulator() {
        return false;
    }

    private void set(int pin, boolean high) {
        MockGpio.set(pi4j, pin, high);
    }

    @Test
    void anArmThatDoesNotReachItsEndPositionInTimeIsAFault() {
        motorConnected = false;
        BarrierGate barrier = hardware.barrier(LANE);
        assertThat(barrier.raise(), is(true));
        assertThat(MockGpio.output(pi4j, LANE_WIRING.raisePin()).isHigh(), is(true));
        await().atMost(TRAVEL.multipliedBy(4)).until(barrier::state, is(BarrierState.FAULT));
        assertThat(barrier.fault().orElseThrow(), containsString("did not reach OPEN"));
    }

    @Test
    void resetIsRefusedWhileTheDriveStillReportsAFault() {
        BarrierGate barrier = hardware.barrier(LANE);
        breakDrive();
        await().until(barrier::state, is(BarrierState.FAULT));
        assertThat(barrier.fault().orElseThrow(), containsString("GPIO " + LANE_WIRING.faultPin()));
        assertThrows(HardwareException.class, barrier::resetFault);
        assertThat(barrier.state(), is(BarrierState.FAULT));
    }

    @Test
    void theSignDrivesTheTm1637AndTheFullLamp() {
        Tm1637Recorder chip = new Tm1637Recorder(MockGpio.output(pi4j, SIGN.clockPin()),
                MockGpio.output(pi4j, SIGN.dataPin()));
        LevelSign sign = hardware.sign();

        sign.show(new SignContent.Free(42));
        assertThat(chip.frames(), contains(List.of(0x40), List.of(0xC0, 0x00, 0x00, 0x66, 0x5B), List.of(0x8F)));
        assertThat(MockGpio.output(pi4j, SIGN.fullLampPin()).isHigh(), is(false));

        chip.clear();
        sign.show(new SignContent.Full());
        assertThat(chip.frames().get(1), contains(0xC0, 0x71, 0x3E, 0x38, 0x38));
        assertThat(MockGpio.output(pi4j, SIGN.fullLampPin()).isHigh(), is(true));

        sign.show(new SignContent.Free(3));
        assertThat(MockGpio.output(pi4j, SIGN.fullLampPin()).isHigh(), is(false));
        assertThat(chip.errors(), empty());
    }

    @Test
    void closeReleasesThePinsButLeavesTheCallersContextRunning() {
        String raise = Pi4jLevelHardware.ioId(LANE_WIRING.raisePin());
        assertThat(pi4j.registry().exists(raise), is(true));
        hardware.close();
        assertThat(pi4j.registry().exists(raise), is(false));
        assertThat(pi4j.isShutdown(), is(false));
        hardware = HardwareFactory.create(config(HardwareConfig.Mode.PI4J), pi4j); // the pins can be taken again
    }

    @Test
    void aPinUsedTwiceIsRefusedBeforeAnyPinIsTaken() {
        HardwareConfig clash = new HardwareConfig(HardwareConfig.Mode.PI4J, DEBOUNCE, TRAVEL, List.of(LANE_WIRING),
                List.of(new HardwareConfig.SpotWiring("S1", LANE_WIRING.safetyLoopPin())), null);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> HardwareFactory.create(clash, pi4j));
        assertThat(refused.getMessage(), containsString("GPIO " + LANE_WIRING.safetyLoopPin()));
        assertThrows(IllegalArgumentException.class,
                () -> HardwareFactory.create(config(HardwareConfig.Mode.SIMULATED), pi4j));
    }
}
