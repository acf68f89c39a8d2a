package org.openparking.firmware;

import com.pi4j.io.gpio.digital.DigitalOutput;

/**
 * A TM1637 four-digit seven-segment display, bit-banged over two outputs. Its two-wire protocol looks like
 * I2C without addresses: start (DIO falls while CLK is high), bytes LSB first sampled on CLK rising, a ninth
 * clock for the chip's ACK, stop (DIO rises while CLK is high).
 */
final class Tm1637 {
    static final int DIGITS = 4;

    /** Data command: write display registers, auto-increment address. */
    static final int CMD_DATA_AUTO_INCREMENT = 0x40;
    /** Address command for the first digit. */
    static final int CMD_ADDRESS_FIRST_DIGIT = 0xC0;
    /** Display control: on, brightness in the low three bits. */
    static final int CMD_DISPLAY_ON = 0x88;

    private final DigitalOutput clock;
    private final DigitalOutput data;
    private final long halfPeriodNanos;
    private final int brightness;

    /**
     * @param halfPeriodNanos time each line level is held; the chip needs at least a few microseconds
     * @param brightness      0..7
     */
    Tm1637(DigitalOutput clock, DigitalOutput data, long halfPeriodNanos, int brightness) {
        if (brightness < 0 || brightness > 7) {
            throw new IllegalArgumentException("brightness must be 0..7: " + brightness);
        }
        this.clock = clock;
        this.data = data;
        this.halfPeriodNanos = halfPeriodNanos;
        this.brightness = brightness;
    }

    /** Shows up to four characters, right-aligned. */
    synchronized void show(String text) {
        byte[] segments = encode(text);
        frame(CMD_DATA_AUTO_INCREMENT);
        byte[] addressAndDigits = new byte[DIGITS + 1];
        addressAndDigits[0] = (byte) CMD_ADDRESS_FIRST_DIGIT;
        System.arraycopy(segments, 0, addressAndDigits, 1, DIGITS);
        frame(addressAndDigits);
        frame(CMD_DISPLAY_ON | brightness);
    }

    /** The segment bytes for {@code text}, right-aligned and padded with blanks. */
    static byte[] encode(String text) {
        if (text == null || text.length() > DIGITS) {
            throw new IllegalArgumentException("a TM1637 shows at most " + DIGITS + " characters: " + text);
        }
        byte[] segments = new byte[DIGITS];
        int offset = DIGITS - text.length();
        for (int i = 0; i < text.length(); i++) {
            segments[offset + i] = segments(text.charAt(i));
        }
        return segments;
    }

    /** Segments a..g in bits 0..6 (bit 7 is the colon). */
    static byte segments(char c) {
        return switch (Character.toUpperCase(c)) {
            case '0' -> 0x3F;
            case '1' -> 0x06;
            case '2' -> 0x5B;
            case '3' -> 0x4F;
            case '4' -> 0x66;
            case '5', 'S' -> 0x6D;
            case '6' -> 0x7D;
            case '7' -> 0x07;
            case '8' -> 0x7F;
            case '9' -> 0x6F;
            case 'F' -> 0x71;
            case 'U' -> 0x3E;
            case 'L' -> 0x38;
            case 'C' -> 0x39;
            case 'D' -> 0x5E; // lower-case d: an upper-case D would read as 0
            case '-' -> 0x40;
            case ' ' -> 0x00;
            default -> throw new IllegalArgumentException("no segment pattern for '" + c + "'");
        };
    }

    private void frame(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        frame(b);
    }

    private void frame(byte[] bytes) {
        start();
        for (byte b : bytes) {
            write(b);
        }
        stop();
    }

    private void start() {
        clock.high();
        data.high();
        hold();
        data.low();
        hold();
        clock.low();
        hold();
    }

    private void write(byte b) {
        for (int bit = 0; bit < 8; bit++) {
            data.setState(((b >> bit) & 1) == 1);
            hold();
            clock.high();
            hold();
            clock.low();
            hold();
        }
        // ACK clock: the chip pulls DIO low now; driving it low too avoids fighting it (no input to read back).
        data.low();
        hold();
        clock.high();
        hold();
        clock.low();
        hold();
    }

    private void stop() {
        data.low();
        hold();
        clock.high();
        hold();
        data.high();
        hold();
    }

    private void hold() {
        if (halfPeriodNanos <= 0) {
            return;
        }
        // Microseconds: parking the thread would take ten times longer than the chip needs.
        long until = System.nanoTime() + halfPeriodNanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
