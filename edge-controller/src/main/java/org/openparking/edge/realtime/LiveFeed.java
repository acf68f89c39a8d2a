package org.openparking.edge.realtime;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.lane.LaneView;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;

/**
 * One stream of everything live on the level: availability changes from the board, lane changes from the
 * lane controllers, heartbeats. Subscribers are called on the producing thread (a lane, a database writer),
 * so they must only hand the event over, never block.
 */
public final class LiveFeed {
    private static final Logger LOG = Logger.getLogger(LiveFeed.class.getName());

    private final LevelAvailability board;
    private final Map<String, LaneView> lanes = new ConcurrentSkipListMap<>();
    private final List<Consumer<LiveEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final Runnable boardSubscription;

    LiveFeed(LevelAvailability board) {
        this.board = board;
        this.boardSubscription = board.subscribe(a -> emit(new LiveEvent.AvailabilityChanged(a)));
    }

    /** The latest committed availability. */
    public Availability availability() {
        return board.current();
    }

    /** The latest view of every lane, by lane id. */
    public List<LaneView> lanes() {
        return new ArrayList<>(lanes.values());
    }

    /** A lane controller's change listener. */
    public void lane(LaneView view) {
        lanes.put(view.laneId(), view);
        emit(new LiveEvent.LaneChanged(view));
    }

    void heartbeat(Instant confirmedAt) {
        emit(new LiveEvent.Heartbeat(board.current(), confirmedAt));
    }

    /** Adds a subscriber; returns what removes it. */
    public Runnable subscribe(Consumer<LiveEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** How many subscribers there are (live SSE clients among them): lets tests see a dead client removed. */
    public int subscriberCount() {
        return subscribers.size();
    }

    void close() {
        boardSubscription.run();
    }

    private void emit(LiveEvent event) {
        for (Consumer<LiveEvent> s : subscribers) {
            try {
                s.accept(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "live subscriber failed", e);
            }
        }
    }
}
