package org.openparking.firmware;

import com.pi4j.io.gpio.digital.DigitalOutput;

import java.util.Objects;

/** The LED count sign: a TM1637 display for the text and a lamp lit when drivers must not enter (FULL, CLOSED). */
final class Pi4jLevelSign implements LevelSign {
    private final Tm1637 display;
    private final DigitalOutput fullLamp;
    private SignContent showing;

    Pi4jLevelSign(Tm1637 display, DigitalOutput fullLamp) {
        this.display = display;
        this.fullLamp = fullLamp;
        show(new SignContent.Blank());
    }

    @Override
    public synchronized void show(SignContent content) {
        Objects.requireNonNull(content, "content");
        try {
            display.show(content.text());
            fullLamp.setState(content instanceof SignContent.Full || content instanceof SignContent.Closed);
        } catch (com.pi4j.exception.Pi4JException e) {
            throw new HardwareException("cannot write the level sign", e);
        }
        showing = content;
    }

    @Override
    public synchronized SignContent showing() {
        return showing;
    }
}
