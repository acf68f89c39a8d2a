package org.openparking.edge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock tests move forward, so fees can be tested without waiting hours. Either frozen at a start
 * instant (exact fees), or real time plus an offset (for code that also waits on real timeouts).
 */
public final class MutableClock extends Clock {
    private final Instant frozenAt;
    private final AtomicLong offsetMillis = new AtomicLong();

    public MutableClock(Instant start) {
        this.frozenAt = start;
    }

    private MutableClock() {
        this.frozenAt = null;
    }

    /** Real time, moved forward by every {@link #advance}. */
    public static MutableClock realTimePlusOffset() {
        return new MutableClock();
    }

    public void advance(Duration d) {
        offsetMillis.addAndGet(d.toMillis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return (frozenAt != null ? frozenAt : Instant.now()).plusMillis(offsetMillis.get());
    }
}
