package org.openparking.firmware;

import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;

import java.util.ArrayList;
import java.util.List;

/**
 * Listens to the clock and data outputs like a TM1637 would and decodes the frames sent: start is DIO
 * falling while CLK is high, a bit is DIO at CLK rising (LSB first, nine clocks per byte with the ACK),
 * stop is DIO rising while CLK is high.
 */
final class Tm1637Recorder {
    private final DigitalOutput clock;
    private final DigitalOutput data;
    private final List<List<Integer>> frames = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private List<Boolean> bits;

    Tm1637Recorder(DigitalOutput clock, DigitalOutput data) {
        this.clock = clock;
        this.data = data;
        clock.addListener(event -> {
            if (event.state() == DigitalState.HIGH && bits != null) {
                bits.add(data.isHigh());
            }
        });
        data.addListener(event -> {
            if (!clock.isHigh()) {
                return; // data may change only while the clock is low: that is a bit being set up
            }
            if (event.state() == DigitalState.LOW) {
                bits = new ArrayList<>();
            } else if (bits != null) {
                endFrame();
            }
        });
    }

    synchronized List<List<Integer>> frames() {
        return List.copyOf(frames);
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    synchronized void clear() {
        frames.clear();
    }

    private synchronized void endFrame() {
        // The stop condition raises the clock once more before DIO: one extra sample, not data.
        if (bits.size() % 9 != 1) {
            errors.add("frame of " + bits.size() + " clocks is not whole bytes plus the stop clock");
        }
        List<Integer> bytes = new ArrayList<>();
        for (int start = 0; start + 9 <= bits.size(); start += 9) {
            int value = 0;
            for (int bit = 0; bit < 8; bit++) {
                if (bits.get(start + bit)) {
                    value |= 1 << bit;
                }
            }
            bytes.add(value);
        }
        frames.add(List.copyOf(bytes));
        bits = null;
    }
}
