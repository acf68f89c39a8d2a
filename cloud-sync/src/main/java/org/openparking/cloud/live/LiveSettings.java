package org.openparking.cloud.live;

import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;

import io.helidon.config.Config;
import java.time.Duration;

/**
 * Live views and their limits (keys of the {@code live} section).
 *
 * @param maxStreams   most open {@code /stream} clients per instance; one more is answered 503 ({@code max-streams})
 * @param streamBuffer most levels a stream client may have waiting; a client further behind is cut and told to
 *                     reconnect ({@code stream-buffer})
 * @param keepAlive    a comment line on an idle stream this often ({@code keep-alive})
 * @param viewMaxAge   a polled view ({@code GET /lots}, a lot's levels) is answered from memory for at most this
 *                     long after another instance's writes ({@code view-max-age}); this instance's own writes and
 *                     every instance's availability changes renew it at once
 * @param feedRetry    pause before the change feed reconnects to PostgreSQL ({@code feed-retry})
 * @param readWait     an API read ({@code /edges}, drift, sessions, a view's rendering) waits this long in all for
 *                     its turn and a pooled connection while the pool is busy, before a 503 ({@code read-wait})
 * @param readQueue    most API reads waiting at once; one more is a 503 at once ({@code read-queue})
 */
public record LiveSettings(int maxStreams, int streamBuffer, Duration keepAlive, Duration viewMaxAge,
                           Duration feedRetry, Duration readWait, int readQueue) {
    /** With the built-in read queue (30 s, 10,000 waiting). */
    public LiveSettings(int maxStreams, int streamBuffer, Duration keepAlive, Duration viewMaxAge, Duration feedRetry) {
        this(maxStreams, streamBuffer, keepAlive, viewMaxAge, feedRetry, Duration.ofSeconds(30), 10_000);
    }

    public LiveSettings {
        positive(readWait, "live.read-wait");
        if (readQueue < 1) {
            throw new IllegalArgumentException("live.read-queue must be at least 1, was " + readQueue);
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("live.max-streams must be at least 1, was " + maxStreams);
        }
        if (streamBuffer < 1) {
            throw new IllegalArgumentException("live.stream-buffer must be at least 1, was " + streamBuffer);
        }
        positive(keepAlive, "live.keep-alive");
        positive(viewMaxAge, "live.view-max-age");
        positive(feedRetry, "live.feed-retry");
    }

    public static LiveSettings create(Config live) {
        return new LiveSettings(integer(live, "max-streams"), integer(live, "stream-buffer"),
                duration(live, "keep-alive"), duration(live, "view-max-age"), duration(live, "feed-retry"),
                duration(live, "read-wait"), integer(live, "read-queue"));
    }

    public LiveSettings withMaxStreams(int max) {
        return new LiveSettings(max, streamBuffer, keepAlive, viewMaxAge, feedRetry, readWait, readQueue);
    }

    public LiveSettings withStreamBuffer(int buffer) {
        return new LiveSettings(maxStreams, buffer, keepAlive, viewMaxAge, feedRetry, readWait, readQueue);
    }

    /** The same with another read wait (tests). */
    public LiveSettings withReadWait(Duration wait) {
        return new LiveSettings(maxStreams, streamBuffer, keepAlive, viewMaxAge, feedRetry, wait, readQueue);
    }

    private static void positive(Duration d, String key) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + d);
        }
    }
}
