package org.openparking.firmware;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Tm1637Test {
    private final Context pi4j = MockGpio.context();

    @AfterEach
    void shutdown() {
        pi4j.shutdown();
    }

    @Test
    void digitsUseTheStandardSevenSegmentPatterns() {
        assertThat(bytes("0123"), equalTo(new byte[] {0x3F, 0x06, 0x5B, 0x4F}));
        assertThat(bytes("4567"), equalTo(new byte[] {0x66, 0x6D, 0x7D, 0x07}));
        assertThat(bytes("89"), equalTo(new byte[] {0x00, 0x00, 0x7F, 0x6F}));
    }

    @Test
    void theSignWordsAreSpelledOnSegments() {
        assertThat(bytes("FULL"), equalTo(new byte[] {0x71, 0x3E, 0x38, 0x38}));
        assertThat(bytes("CLSD"), equalTo(new byte[] {0x39, 0x38, 0x6D, 0x5E}));
        assertThat(bytes("--"), equalTo(new byte[] {0x00, 0x00, 0x40, 0x40}));
        assertThat(bytes(""), equalTo(new byte[] {0, 0, 0, 0}));
    }

    @Test
    void everySignContentCanBeShown() {
        for (SignContent content : List.of(new SignContent.Free(0), new SignContent.Free(99999),
                new SignContent.Full(), new SignContent.Closed(), new SignContent.Blank())) {
            assertThat(Tm1637.encode(content.text()).length, equalTo(Tm1637.DIGITS));
        }
    }

    @Test
    void textTheDisplayCannotShowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Tm1637.encode("12345"));
        assertThrows(IllegalArgumentException.class, () -> Tm1637.encode("OPEN"));
        assertThrows(IllegalArgumentException.class, () -> Tm1637.encode(null));
    }

    @Test
    void showSendsTheDataCommandTheFourDigitsAndDisplayOn() {
        DigitalOutput clock = pi4j.create(DigitalOutput.newConfigBuilder(pi4j).id("clk").address(20)
                .initial(DigitalState.HIGH));
        DigitalOutput data = pi4j.create(DigitalOutput.newConfigBuilder(pi4j).id("dio").address(21)
                .initial(DigitalState.HIGH));
        Tm1637Recorder chip = new Tm1637Recorder(clock, data);

        new Tm1637(clock, data, 0, 3).show("42");

        assertThat(chip.errors(), empty());
        assertThat(chip.frames(), contains(
                List.of(0x40),
                List.of(0xC0, 0x00, 0x00, 0x66, 0x5B),
                List.of(0x8B)));
    }

    private static byte[] bytes(String text) {
        return Tm1637.encode(text);
    }
}
