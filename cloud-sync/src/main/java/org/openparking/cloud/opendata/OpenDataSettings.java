package org.openparking.cloud.opendata;

import static org.openparking.platform.config.ConfigValues.decimal;
import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;

import io.helidon.config.Config;
import java.time.Duration;
import org.openparking.platform.config.ParkingConfig;

/**
 * The public feeds' configuration ({@code open-data.*}; defaults only in application.yaml).
 *
 * @param perSecond       public requests per second per client address
 * @param burst           public requests one address may make at once
 * @param maxAge          {@code Cache-Control: max-age} of public answers
 * @param staleAfter      a level whose edge was silent this long has its realtime counts withheld
 * @param trendWindow     the trend compares the free count now with the one this long ago
 * @param sampleInterval  how often the levels' counts are sampled for the trend
 * @param almostFullRatio a level with at most this share of its capacity free is almost full
 * @param edgeRefresh     how old the feeds' copy of the edges' last contact may get before it is read again
 */
public record OpenDataSettings(double perSecond, int burst, Duration maxAge, Duration staleAfter, Duration trendWindow,
                               Duration sampleInterval, double almostFullRatio, Duration edgeRefresh) {
    public OpenDataSettings {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("open-data.requests-per-second and burst must be positive");
        }
        positive("open-data.stale-after", staleAfter);
        positive("open-data.trend-window", trendWindow);
        positive("open-data.sample-interval", sampleInterval);
        positive("open-data.edge-refresh", edgeRefresh);
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("open-data.max-age must not be negative, was " + maxAge);
        }
        if (!(almostFullRatio > 0 && almostFullRatio < 1)) {
            throw new IllegalArgumentException("open-data.almost-full-ratio must be between 0 and 1, was "
                    + almostFullRatio);
        }
    }

    private static void positive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + d);
        }
    }

    public static OpenDataSettings create(Config config) {
        Config s = config.get("open-data");
        return new OpenDataSettings(decimal(s, "requests-per-second"), integer(s, "burst"), duration(s, "max-age"),
                duration(s, "stale-after"), duration(s, "trend-window"), duration(s, "sample-interval"),
                decimal(s, "almost-full-ratio"), duration(s, "edge-refresh"));
    }

    /** The built-in application.yaml alone (tests and embedded use). */
    public static OpenDataSettings defaults() {
        return create(ParkingConfig.defaults());
    }

    public OpenDataSettings withLimit(double perSecond, int burst) {
        return new OpenDataSettings(perSecond, burst, maxAge, staleAfter, trendWindow, sampleInterval, almostFullRatio,
                edgeRefresh);
    }
}
