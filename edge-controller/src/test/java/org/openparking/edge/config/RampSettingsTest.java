package org.openparking.edge.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.platform.config.ConfigInput;
import org.openparking.firmware.HardwareConfig;
import org.openparking.protocol.VehicleType;

/** Ramp counters as an operator writes them in the level's YAML file. */
class RampSettingsTest {
    @TempDir
    Path dir;

    private EdgeSettings read(String yaml) throws IOException {
        Path file = dir.resolve("level.yaml");
        Files.writeString(file, yaml);
        return EdgeSettings.create(EdgeSettings.load(ConfigInput.environment(Map.of("PARKING_CONFIG", file.toString()))));
    }

    private static final String LEVEL = """
            tickets: { secret: "a-test-secret-0123456789" }
            occupancy: { mode: %s }
            lanes:
              - { id: "in-1", direction: ENTRY }
            capacity: { STANDARD: 40, EV: 4 }
            ramps:
            %s
            """;

    @Test
    void rampsAreReadWithTheirTypePinsAndGapAndReplaceTheDefaults() throws IOException {
        EdgeSettings s = read(LEVEL.formatted("counting", """
                  - { id: "up", outer-loop-pin: 5, inner-loop-pin: 6 }
                  - { id: "ev-down", type: ev, outer-loop-pin: 19, inner-loop-pin: 26, gap: PT1.5S }
                """));
        assertThat(s.ramps(), contains(new EdgeSettings.Ramp("up", VehicleType.STANDARD),
                new EdgeSettings.Ramp("ev-down", VehicleType.EV)));
        assertThat(s.hardware().ramps(), contains(new HardwareConfig.RampWiring("up", 5, 6, Duration.ZERO),
                new HardwareConfig.RampWiring("ev-down", 19, 26, Duration.ofMillis(1500))));
        assertThat(s.countsRamps(), is(true));
        assertThat("the file's layout replaces the twelve default spots", s.spots().size(), is(44));
    }

    @Test
    void mistakesStopTheStartWithTheKeyNamed() {
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> read(LEVEL.formatted(
                "counting", "  - { id: up, outer-loop-pin: 5, inner-loop-pin: 6, gap: soon }")));
        assertThat(gap.getMessage(), containsString("ramps.0.gap"));
        IllegalArgumentException noId = assertThrows(IllegalArgumentException.class, () -> read(LEVEL.formatted(
                "counting", "  - { outer-loop-pin: 5, inner-loop-pin: 6 }")));
        assertThat(noId.getMessage(), containsString("ramps.0.id is required"));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> read(LEVEL.formatted(
                "counting", "  - { id: up }\n  - { id: up }")));
        assertThat(twice.getMessage(), containsString("duplicate ramp id up"));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> read(LEVEL.formatted(
                "counting", "  - { id: up, type: DISABLED }")));
        assertThat(type.getMessage(), containsString("no DISABLED spots"));
    }

    @Test
    void aSensorLevelCannotHaveRampCounters() throws IOException {
        Path file = dir.resolve("sensors.yaml");
        Files.writeString(file, """
                tickets: { secret: "a-test-secret-0123456789" }
                occupancy: { mode: sensors }
                lanes:
                  - { id: "in-1", direction: ENTRY }
                spots:
                  - { id: "A1", pin: 2 }
                ramps:
                  - { id: up, outer-loop-pin: 5, inner-loop-pin: 6 }
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EdgeSettings.create(EdgeSettings.load(ConfigInput.environment(Map.of("PARKING_CONFIG", file.toString())))));
        assertThat(e.getMessage(), containsString("need occupancy.mode counting"));
    }
}
