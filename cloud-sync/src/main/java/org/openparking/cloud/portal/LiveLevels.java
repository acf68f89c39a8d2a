package org.openparking.cloud.portal;

import java.util.List;

/**
 * The latest availability of every level, held in memory and kept current by the changes every cloud-sync
 * instance commits: a read model for whatever shows availability live or answers polls for it, without a
 * database read per request.
 */
public interface LiveLevels {
    /** Every level, ordered by lot and level. */
    List<LevelAvailability> all();

    /** The levels of one lot, ordered by level; empty if none is known. */
    List<LevelAvailability> ofLot(String lotId);

    /** Whether the view is being kept current now (false while the change feed is reconnecting). */
    boolean current();
}
