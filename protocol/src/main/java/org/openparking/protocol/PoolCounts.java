package org.openparking.protocol;

import java.util.Map;

/**
 * How many cars of each pool are inside this level now, sent whenever a pool car enters or leaves. {@code version}
 * increases with every report of the level, so the cloud keeps the newest; it adds the levels' counts of a pool
 * and shows what is over the pool's maximum as drift.
 */
public record PoolCounts(long version, long rulesVersion, Map<String, Integer> inside) implements Message.Event {
    public PoolCounts {
        Checks.requireNonNegative(version, "version");
        inside = Map.copyOf(Checks.requireNonNull(inside, "inside"));
    }
}
