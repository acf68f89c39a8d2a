package org.openparking.firmware;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;

/** Pi4J on its mock providers, and the pins of a level looked up by BCM number. */
final class MockGpio {
    private MockGpio() {
    }

    static Context context() {
        return Pi4J.newContextBuilder()
                .add(new MockPlatform())
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance())
                .build();
    }

    static MockDigitalInput input(Context pi4j, int pin) {
        return pi4j.io(Pi4jLevelHardware.ioId(pin), MockDigitalInput.class);
    }

    static MockDigitalOutput output(Context pi4j, int pin) {
        return pi4j.io(Pi4jLevelHardware.ioId(pin), MockDigitalOutput.class);
    }

    static void set(Context pi4j, int pin, boolean high) {
        input(pi4j, pin).mockState(high ? DigitalState.HIGH : DigitalState.LOW);
    }
}
