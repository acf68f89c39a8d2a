package org.openparking.firmware;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SimulatedLevelHardwareTest extends LevelHardwareContract {
    private SimulatedLevel simulator;

    @Override
    protected LevelHardware start() {
        LevelHardware level = HardwareFactory.create(config(HardwareConfig.Mode.SIMULATED));
        simulator = level.simulator().orElseThrow();
        return level;
    }

    @Override
    protected void safetyLoop(boolean present) {
        simulator.setSafetyLoop(LANE, present);
    }

    @Override
    protected void armingLoop(boolean present) {
        simulator.setArmingLoop(LANE, present);
    }

    @Override
    protected void spot(String spotId, boolean occupied) {
        simulator.setSpot(spotId, occupied);
    }

    @Override
    protected void rampLoop(RampDetector.Loop loop, boolean present) {
        simulator.setRampLoop("R1", loop, present);
    }

    @Override
    protected void breakDrive() {
        simulator.injectBarrierFault(LANE, "arm jammed");
    }

    @Override
    protected void repairDrive() {
        // a simulated jam is cleared by the reset itself
    }

    @Override
    protected boolean hasSimulator() {
        return true;
    }

    @Test
    void theInjectedFaultReasonIsReported() {
        simulator.injectBarrierFault(LANE, "arm jammed");
        await().until(() -> hardware.barrier(LANE).state() == BarrierState.FAULT);
        assertThat(hardware.barrier(LANE).fault().orElseThrow(), is("arm jammed"));
    }

    @Test
    void printedTicketsAreKeptAndAPrinterFaultFailsPrintingUntilCleared() {
        TicketPrinter printer = hardware.ticketPrinter(LANE);
        printer.print("T1");
        simulator.injectPrinterFault(LANE, "paper out");
        HardwareException failed = assertThrows(HardwareException.class, () -> printer.print("T2"));
        assertThat(failed.getMessage(), containsString("paper out"));
        simulator.injectPrinterFault(LANE, null);
        printer.print("T3");
        assertThat(simulator.printed(LANE), contains("T1", "T3"));
    }

    @Test
    void theSimulatorRefusesUnknownIds() {
        assertThrows(IllegalArgumentException.class, () -> simulator.setSafetyLoop("L9", true));
        assertThrows(IllegalArgumentException.class, () -> simulator.setSpot("S9", true));
        assertThrows(IllegalArgumentException.class, () -> simulator.printed("L9"));
    }

    @Test
    void wiringThatRepeatsALaneOrSpotIsRefused() {
        HardwareConfig twoLanes = new HardwareConfig(HardwareConfig.Mode.SIMULATED, DEBOUNCE, TRAVEL,
                List.of(LANE_WIRING, LANE_WIRING), List.of(), null);
        assertThrows(IllegalArgumentException.class, () -> HardwareFactory.create(twoLanes));
        HardwareConfig twoSpots = new HardwareConfig(HardwareConfig.Mode.SIMULATED, DEBOUNCE, TRAVEL,
                List.of(), List.of(SPOTS.getFirst(), SPOTS.getFirst()), null);
        assertThrows(IllegalArgumentException.class, () -> HardwareFactory.create(twoSpots));
    }
}
