package org.openparking.firmware;

import java.util.function.Consumer;

/**
 * Two loops across one ramp lane, used by counting levels to count cars moving between levels. The
 * {@link Loop#OUTER outer} loop lies on the side away from the level, the {@link Loop#INNER inner} loop on the
 * level's side. A car that reaches the outer loop first and clears the inner loop last drove onto the level
 * ({@link Passage#IN}); the mirror image drove off it ({@link Passage#OUT}); a car that leaves over the loop it
 * came in by turned back ({@link Passage#TURNED_BACK}) and moved nothing. Loops are debounced like every other
 * input. One passage is reported when both loops are clear again; a car that was already on a loop when the
 * detector started is not reported (its direction is unknown).
 *
 * <p>Known limit of every two-loop counter: two cars bumper to bumper that keep a loop covered between them
 * count as one. Place the loops so a car covers both at once, or configure the gap (see
 * {@link HardwareConfig.RampWiring}).
 */
public interface RampDetector {
    String rampId();

    /** Debounced: is a vehicle over either loop now. */
    boolean occupied();

    /** Called once per finished passage, in order, never while a device lock is held. */
    void onPassage(Consumer<Passage> listener);

    enum Loop { OUTER, INNER }

    enum Passage { IN, OUT, TURNED_BACK }
}
