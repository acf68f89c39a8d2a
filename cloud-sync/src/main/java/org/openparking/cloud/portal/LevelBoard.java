package org.openparking.cloud.portal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.openparking.cloud.live.ChangeFeed;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;

/**
 * {@link LiveLevels} fed by channel {@code parking_levels}: the whole {@code levels} table once per (re)connect,
 * then each committed change. A level only moves to a higher version, so an announcement that arrives after
 * the reload already showed it changes nothing. Listeners hear of every level that changed.
 */
public final class LevelBoard implements LiveLevels, ChangeFeed.Subscriber {
    /** The channel V110's trigger announces level changes on. */
    public static final String CHANNEL = "parking_levels";

    private final ConcurrentSkipListMap<String, LevelAvailability> levels = new ConcurrentSkipListMap<>();
    private final List<Consumer<LevelAvailability>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean current;

    public void onChange(Consumer<LevelAvailability> listener) {
        listeners.add(listener);
    }

    @Override
    public List<LevelAvailability> all() {
        return List.copyOf(levels.values());
    }

    @Override
    public List<LevelAvailability> ofLot(String lotId) {
        // Keys are "lot/level": every key of the lot lies between "lot/" and "lot0" ('0' follows '/').
        return new ArrayList<>(levels.subMap(lotId + "/", lotId + "0").values());
    }

    @Override
    public boolean current() {
        return current;
    }

    @Override
    public void resync(Connection c) throws SQLException {
        for (LevelAvailability level : Jdbc.query(c, """
                SELECT lot_id, level_id, capacity, occupied, free, status, version, updated_at
                FROM levels ORDER BY lot_id, level_id""", rs -> new LevelAvailability(rs.getString(1),
                rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getString(6), rs.getLong(7),
                Jdbc.instant(rs.getTimestamp(8))))) {
            offer(level);
        }
        current = true;
    }

    @Override
    public void notified(String payload) {
        try {
            offer(Json.mapper().readValue(payload, LevelAvailability.class));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a level announcement", e);
        }
    }

    @Override
    public void lost() {
        current = false;
    }

    /** Takes {@code level} if it is newer than what is held, and tells the listeners. */
    void offer(LevelAvailability level) {
        boolean[] newer = {false};
        levels.compute(level.key(), (k, held) -> {
            if (held == null || held.version() < level.version()) {
                newer[0] = true;
                return level;
            }
            return held;
        });
        if (newer[0]) {
            listeners.forEach(l -> l.accept(level));
        }
    }
}
