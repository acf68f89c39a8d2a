package org.openparking.edge.tariff;

import java.util.ArrayList;
import java.util.List;

/** A fee and the lines it is made of, in the order they were applied. */
public record Explanation(long fee, List<LineItem> lines) {
    public Explanation {
        lines = List.copyOf(lines);
    }

    /** This explanation with {@code line} appended; {@code line.amount()} moves the fee. */
    public Explanation plus(LineItem line) {
        List<LineItem> more = new ArrayList<>(lines);
        more.add(line);
        return new Explanation(fee + line.amount(), more);
    }
}
