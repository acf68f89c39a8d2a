package org.openparking.edge.lane;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.openparking.firmware.PlateRead;
import org.openparking.firmware.PlateReader;

/**
 * The newest plate read of each lane, from whichever readers feed it (a camera's webhook, the simulator). Kept in
 * memory only: a read is worth seconds ({@code ticketless.read-max-age}), so a restart forgetting it is harmless.
 */
public final class PlateReads {
    private final Map<String, PlateRead> newest = new ConcurrentHashMap<>();

    /** Keeps the newest read of every lane {@code reader} reports. */
    public void listenTo(PlateReader reader) {
        reader.onRead(this::record);
    }

    /** The last read to arrive is the lane's newest (not the latest stamped: a camera clock may be off). */
    public void record(PlateRead read) {
        newest.put(read.laneId(), read);
    }

    public Optional<PlateRead> newest(String laneId) {
        return Optional.ofNullable(newest.get(laneId));
    }

    /** Used once: a read that released (or admitted) a car must not release the next one. */
    public void consume(String laneId, PlateRead read) {
        newest.remove(laneId, read);
    }
}
