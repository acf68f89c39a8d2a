package org.openparking.cloud.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key (an address, and a user and address, for logins; a token for the API). A refused request
 * learns how long until one token is back, for {@code Retry-After}.
 */
public final class RateLimiter {
    private final double perSecond;
    private final double burst;
    private final Clock clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(double perSecond, int burst, Clock clock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = clock;
    }

    /** {@code count} requests per {@code period}, all of them allowed at once. */
    public static RateLimiter per(int count, Duration period, Clock clock) {
        return new RateLimiter(count / (period.toMillis() / 1000.0), count, clock);
    }

    /** Zero if allowed now (one token taken), else how long until the next token. */
    public Duration acquire(String key) {
        long now = clock.millis();
        if (buckets.size() > 100_000) {
            // Full buckets carry no state: dropping them bounds memory under many distinct keys.
            buckets.values().removeIf(b -> b.fullAt(now, perSecond, burst));
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.refill(now, perSecond, burst);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofMillis((long) Math.ceil((1 - bucket.tokens) / perSecond * 1000));
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        void refill(long now, double perSecond, double burst) {
            tokens = Math.min(burst, tokens + (now - at) / 1000.0 * perSecond);
            at = now;
        }

        synchronized boolean fullAt(long now, double perSecond, double burst) {
            return tokens + (now - at) / 1000.0 * perSecond >= burst;
        }
    }
}
