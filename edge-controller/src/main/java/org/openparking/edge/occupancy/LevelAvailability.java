package org.openparking.edge.occupancy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The latest committed availability, held in memory for cheap reads and pushed to subscribers (sign,
 * MQTT, server-sent events). Newer versions win, so a late publish of an older snapshot is ignored.
 */
public final class LevelAvailability {
    private static final Logger LOG = Logger.getLogger(LevelAvailability.class.getName());

    private final AtomicReference<Availability> current;
    private final List<Consumer<Availability>> subscribers = new CopyOnWriteArrayList<>();

    /** Starts empty: the first {@link #publish} sets the snapshot loaded from the database. */
    public LevelAvailability() {
        this.current = new AtomicReference<>();
    }

    public Availability current() {
        return current.get();
    }

    /** Publishes {@code next} if it is newer than what is held; returns whether it was. */
    public boolean publish(Availability next) {
        Availability prev = current.getAndAccumulate(next, (a, b) -> a == null || b.version() > a.version() ? b : a);
        if (prev != null && next.version() <= prev.version()) {
            return false;
        }
        for (Consumer<Availability> s : subscribers) {
            try {
                s.accept(next);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "availability subscriber failed", e);
            }
        }
        return true;
    }

    /** Adds a subscriber; it is called on the publishing thread, so it must not block. */
    public Runnable subscribe(Consumer<Availability> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }
}
