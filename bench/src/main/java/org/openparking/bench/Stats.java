package org.openparking.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds, summarised as percentiles in milliseconds. */
final class Stats {
    private final long[] samples;
    private int n;

    Stats(int capacity) {
        samples = new long[capacity];
    }

    synchronized void add(long nanos) {
        if (n < samples.length) {
            samples[n++] = nanos;
        }
    }

    synchronized double percentileMillis(double p) {
        if (n == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        int index = (int) Math.min(n - 1, Math.ceil(p / 100.0 * n) - 1);
        return sorted[Math.max(0, index)] / 1_000_000.0;
    }

    synchronized int count() {
        return n;
    }
}
