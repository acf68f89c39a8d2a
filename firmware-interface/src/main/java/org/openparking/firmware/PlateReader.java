package org.openparking.firmware;

import java.util.function.Consumer;

/**
 * A lane's plate camera (ALPR). It pushes reads; the lane keeps the newest and decides with it. Implementations:
 * {@link SimulatedPlateReader} (reads with the errors real readers make) and {@link PlateRecognizerPush} (the
 * webhook JSON of Plate Recognizer's Stream and Snapshot engines).
 */
public interface PlateReader {
    String laneId();

    /** Called with every read, on the reader's thread. */
    void onRead(Consumer<PlateRead> listener);
}
