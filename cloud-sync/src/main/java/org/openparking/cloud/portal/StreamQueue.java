package org.openparking.cloud.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What one stream client has waiting: at most one frame per level (a newer one replaces the unsent one, keeping
 * its place), in the order the levels first changed. More than {@code buffer} levels waiting ends the client
 * ({@link AvailabilityStream.End#BEHIND}): it is cut and reconnects rather than being skipped.
 */
final class StreamQueue {
    private static final String WAKE = "";

    private final int buffer;
    private final Map<String, byte[]> waiting = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> order = new LinkedBlockingQueue<>();
    private volatile AvailabilityStream.End end;

    StreamQueue(int buffer) {
        this.buffer = buffer;
    }

    /** Queues {@code frame} for level {@code key} (not empty); called by the fan-out, any thread. */
    void offer(String key, byte[] frame) {
        if (end != null) {
            return;
        }
        if (waiting.put(key, frame) == null) {
            if (waiting.size() > buffer) {
                end(AvailabilityStream.End.BEHIND);
            } else {
                order.add(key);
            }
        }
    }

    /** Ends the client (the first reason wins) and wakes its writer. */
    void end(AvailabilityStream.End why) {
        if (end == null) {
            end = why;
            order.add(WAKE);
        }
    }

    AvailabilityStream.End ended() {
        return end;
    }

    /** The frames waiting, after waiting up to {@code millis} for the first; empty on timeout or once ended. */
    List<byte[]> take(long millis) throws InterruptedException {
        return take(millis, () -> 0).frames();
    }

    /**
     * What {@link #take(long, LongSupplier)} handed out: the frames, and a watermark: every change the fan-out
     * had finished offering up to it is among these frames or was handed out before.
     */
    record Batch(List<byte[]> frames, long watermark) {
    }

    /**
     * The frames waiting, after waiting up to {@code millis} for the first, with the fan-out's {@code watermark}
     * (the last change it finished offering to every queue) read where it is true for them: before waiting when
     * nothing comes (everything offered before was handed out already), after the first frame otherwise (then
     * everything offered up to it is drained below). Empty once ended.
     */
    Batch take(long millis, LongSupplier watermark) throws InterruptedException {
        long before = watermark.getAsLong();
        String key = order.poll(millis, TimeUnit.MILLISECONDS);
        if (key == null) {
            return new Batch(List.of(), before);
        }
        long upTo = watermark.getAsLong();
        List<byte[]> frames = new ArrayList<>();
        for (; key != null && end == null; key = order.poll()) {
            byte[] frame = key.isEmpty() ? null : waiting.remove(key);
            if (frame != null) {
                frames.add(frame);
            }
        }
        return end == null ? new Batch(frames, upTo) : new Batch(List.of(), before);
    }
}
