package org.openparking.edge.realtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openparking.testing.TestHttp;

/** A minimal server-sent-events reader on a {@link TestHttp} stream: each event goes to a queue (or a callback). */
final class SseClient implements AutoCloseable {
    record Event(String name, String data, long receivedNanos) {
    }

    private final TestHttp http = TestHttp.create();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;
    private final TestHttp.Streaming response;
    private volatile int comments;

    SseClient(String url) {
        this(url, (Consumer<Event>) null);
    }

    SseClient(String url, Consumer<Event> callback) {
        this(url, callback, new String[0]);
    }

    /** With extra request headers (name, value, ...): a device key or an operator token. */
    SseClient(String url, String... headers) {
        this(url, null, headers);
    }

    private SseClient(String url, Consumer<Event> callback, String[] headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Accept";
        all[1] = "text/event-stream";
        System.arraycopy(headers, 0, all, 2, headers.length);
        response = http.stream(url, all);
        body = response.body();
        reader = Thread.ofPlatform().daemon().name("sse-client").start(() -> read(callback));
    }

    TestHttp.Streaming response() {
        return response;
    }

    private void read(Consumer<Event> callback) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        Event e = new Event(name, data.toString(), System.nanoTime());
                        if (callback != null) {
                            callback.accept(e);
                        } else {
                            events.add(e);
                        }
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments++;
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).stripLeading());
                }
            }
        } catch (IOException e) {
            // closed by the test
        }
    }

    int comments() {
        return comments;
    }

    /** The next event of the given name within the timeout, skipping others; fails if none comes. */
    Event next(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no '" + name + "' event within " + timeout);
            }
            if (e.name().equals(name)) {
                return e;
            }
        }
    }

    /** The next event of any name within the timeout; fails if none comes. */
    Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + timeout);
        }
        return e;
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // nothing to do
        }
        reader.interrupt();
        http.close();
    }
}
