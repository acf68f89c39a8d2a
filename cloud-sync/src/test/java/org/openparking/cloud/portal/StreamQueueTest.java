package org.openparking.cloud.portal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stream client's queue: one waiting frame per level, cut (never skipping) when too far behind. */
class StreamQueueTest {
    private static byte[] f(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<byte[]> frames) {
        return frames.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aNewerFrameOfALevelReplacesTheUnsentOneInItsPlace() throws Exception {
        StreamQueue q = new StreamQueue(10);
        q.offer("a/1", f("a1 v1"));
        q.offer("a/2", f("a2 v1"));
        q.offer("a/1", f("a1 v2"));

        assertThat(texts(q.take(1_000)), contains("a1 v2", "a2 v1"));
        assertThat(q.take(10), is(empty()));
    }

    @Test
    void moreLevelsWaitingThanTheBufferEndsTheClientAsBehind() throws Exception {
        StreamQueue q = new StreamQueue(2);
        q.offer("a/1", f("1"));
        q.offer("a/2", f("2"));
        assertThat(q.ended(), is(nullValue()));
        q.offer("a/3", f("3"));

        assertThat(q.ended(), is(AvailabilityStream.End.BEHIND));
        // Nothing more is handed out: the client is told to reconnect instead of getting a partial picture.
        assertThat(q.take(10), is(empty()));
    }

    @Test
    void endingWakesAWaitingWriterAndTheFirstReasonWins() throws Exception {
        StreamQueue q = new StreamQueue(2);
        CompletableFuture<List<byte[]>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return q.take(60_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        q.end(AvailabilityStream.End.TOKEN_REVOKED);
        q.end(AvailabilityStream.End.BEHIND);

        assertThat(waiting.get(10, TimeUnit.SECONDS), is(empty()));
        assertThat(q.ended(), is(AvailabilityStream.End.TOKEN_REVOKED));
    }
}
