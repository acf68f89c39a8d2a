package org.openparking.cloud;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.Role;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.live.LiveSettings;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * {@code Last-Event-ID} on the live stream: a client that stops reading is cut as BEHIND, levels change while it
 * is away, and it reconnects with the last id it had: it gets only the levels changed since (not the ones that
 * stayed as they were) and ends holding exactly what PostgreSQL holds. An id it cannot resume from gets a full
 * snapshot and an event saying why.
 * <p>The levels are written with SQL, as any instance's ingest would commit them: V110's trigger announces them
 * and the change feed brings them to the stream.
 */
class StreamResumeTest {
    private static final int LEVELS_A = 1000;
    private static TestBroker broker;
    private static TestDatabase database;
    private static Main.Running app;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.create();
        database = TestDatabase.create();
        CloudSettings s = CloudFixture.settings(broker, database);
        LiveSettings live = s.live();
        // Five levels waiting make a client BEHIND.
        app = Main.start(s.withLive(new LiveSettings(live.maxStreams(), 5, Duration.ofMillis(300), live.viewMaxAge(),
                live.feedRetry())), AuthSettings.defaults(), AfterCommitHook.NONE);
        await().atMost(Duration.ofSeconds(20)).until(() -> app.gateway().feed().isLive());
        token = app.gateway().tokens().issue("screen", Role.VIEWER, null).token();
        try (Connection c = database.connect()) {
            // Lot a: the levels that change a lot; b: changed while the client is away; c: never changed.
            Jdbc.update(c, """
                    INSERT INTO levels (lot_id, level_id, edge_id, capacity, occupied, free, by_type, status, version,
                                        updated_at)
                    SELECT lot, 'L' || n, lot || '-L' || n, 100, 0, 100, '{}', 'OPEN', 1, now()
                    FROM (VALUES ('resume-a', ?), ('resume-b', 20), ('resume-c', 20)) AS l(lot, count),
                         generate_series(1, l.count) AS n""", LEVELS_A);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> app.gateway().levels().all().size() == LEVELS_A + 40);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            database.close();
            broker.close();
        }
    }

    private static void bump(String lot, int times) throws Exception {
        try (Connection c = database.connect()) {
            for (int i = 0; i < times; i++) {
                Jdbc.update(c, """
                        UPDATE levels SET version = version + 1, occupied = (version + 1) % 100,
                                          free = 100 - (version + 1) % 100, updated_at = now()
                        WHERE lot_id = ?""", lot);
            }
        }
    }

    private static Map<String, Long> database() throws Exception {
        try (Connection c = database.connect()) {
            Map<String, Long> versions = new TreeMap<>();
            Jdbc.query(c, "SELECT lot_id || '/' || level_id, version FROM levels",
                    rs -> versions.put(rs.getString(1), rs.getLong(2)));
            return versions;
        }
    }

    @Test
    void aClientCutAsBehindResumesWithItsLastIdGetsOnlyWhatChangedAndEndsConsistent() throws Exception {
        Map<String, Long> held = new HashMap<>();
        String lastId;
        try (Sse first = Sse.open(app.port(), token, null, 4096)) {
            Sse.Event opening = first.next();
            assertThat(opening.type(), is("snapshot"));
            assertThat(opening.json().get("reason").asText(), is("NEW"));
            first.pause();
            // Not read for now: the server's socket fills, the levels queue up past the buffer and it is cut.
            // Some 40,000 announcements (about 7 MB of events) are more than the kernel buffers hold.
            bump("resume-a", 40);
            // Reading again: whatever was sent before the cut, the ids, then the reconnect.
            first.unpause();
            Sse.Event e;
            while (!(e = first.next()).type().equals("reconnect")) {
                first.apply(e, held);
            }
            assertThat(e.json().get("reason").asText(), is("BEHIND"));
            lastId = first.lastId();
            assertThat(lastId, notNullValue());
        }
        // Away: lot b changes and a level is new.
        bump("resume-b", 3);
        try (Connection c = database.connect()) {
            Jdbc.update(c, """
                    INSERT INTO levels (lot_id, level_id, edge_id, capacity, occupied, free, by_type, status, version,
                                        updated_at)
                    VALUES ('resume-b', 'new', 'resume-b-new', 10, 1, 9, '{}', 'OPEN', 1, now())""");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> app.gateway().levels().all().size() == LEVELS_A + 41
                && app.gateway().levels().ofLot("resume-b").stream().allMatch(l -> l.levelId().equals("new")
                || l.version() == 4));

        try (Sse again = Sse.open(app.port(), token, lastId, 0)) {
            Sse.Event opening = again.next();
            assertThat(opening.data(), opening.type(), is("resume"));
            assertThat(opening.json().get("since").asText(), is(lastId));
            int count = opening.json().get("levels").asInt();
            Set<String> resent = new TreeSet<>();
            for (int i = 0; i < count; i++) {
                Sse.Event level = again.next();
                assertThat(level.type(), is("level"));
                resent.add(again.apply(level, held));
            }
            // What stayed as it was is not sent again; what changed while away is.
            assertThat(resent.stream().filter(k -> k.startsWith("resume-c/")).toList(), is(empty()));
            for (int n = 1; n <= 20; n++) {
                assertThat(resent.contains("resume-b/L" + n), is(true));
            }
            assertThat(resent.contains("resume-b/new"), is(true));
            assertThat(count, lessThan(LEVELS_A + 41));

            // Live again: changes after the resume arrive too (fewer than the buffer of five), and the client holds
            // what PostgreSQL holds.
            try (Connection c = database.connect()) {
                Jdbc.update(c, "UPDATE levels SET version = version + 1 WHERE lot_id = 'resume-c' AND level_id IN "
                        + "('L1', 'L2', 'L3')");
            }
            Map<String, Long> expected = database();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!held.equals(expected) && System.nanoTime() < deadline) {
                Sse.Event e = again.next(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (e != null) {
                    again.apply(e, held);
                }
            }
            Map<String, String> differ = new TreeMap<>();
            expected.forEach((k, v) -> {
                if (!v.equals(held.get(k))) {
                    differ.put(k, held.get(k) + " held, " + v + " in PostgreSQL");
                }
            });
            assertThat(differ.toString(), held, is(expected));
        }
    }

    @Test
    void anIdOfAnotherRunOrNotAnIdAtAllGetsEveryLevelAndSaysWhy() throws Exception {
        int all = app.gateway().levels().all().size();
        for (String[] c : new String[][] {{"1234abcd-5", "UNKNOWN_EVENT_ID"}, {"lot/level/7", "MALFORMED_EVENT_ID"}}) {
            try (Sse s = Sse.open(app.port(), token, c[0], 0)) {
                Sse.Event opening = s.next();
                assertThat(opening.type(), is("snapshot"));
                assertThat(opening.json().get("reason").asText(), is(c[1]));
                assertThat(opening.json().get("levels").asInt(), is(all));
                Map<String, Long> held = new HashMap<>();
                for (int i = 0; i < all; i++) {
                    s.apply(s.next(), held);
                }
                assertThat(held.size(), is(all));
            }
        }
    }

    /**
     * A plain socket speaking HTTP/1.1 to the stream, so the test decides when it reads (and how small its receive
     * buffer is); it decodes the chunked body and splits it into server-sent events.
     */
    private static final class Sse implements AutoCloseable {
        record Event(String type, String data, String id) {
            JsonNode json() throws IOException {
                return Json.mapper().readTree(data);
            }
        }

        private final Socket socket;
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private volatile String lastId;
        private final java.util.concurrent.Semaphore reading = new java.util.concurrent.Semaphore(1);

        private Sse(Socket socket) {
            this.socket = socket;
        }

        static Sse open(int port, String token, String lastEventId, int receiveBuffer) throws IOException {
            Socket socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            String request = "GET /api/v1/stream?access_token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n" + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId
                    + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            Sse sse = new Sse(socket);
            Thread.ofVirtual().start(sse::read);
            return sse;
        }

        /** Stops reading from the socket (after the chunk being read). */
        void pause() throws InterruptedException {
            reading.acquire();
        }

        void unpause() {
            reading.release();
        }

        String lastId() {
            return lastId;
        }

        /** The next event, within 60 s; ids are taken as they come (an id on its own is no event). */
        Event next() throws Exception {
            Event e = next(60_000);
            if (e == null) {
                throw new AssertionError("no event within 60 s");
            }
            return e;
        }

        /** The next event within {@code millis}, null if none came. */
        Event next(long millis) throws Exception {
            Object o = events.poll(millis, TimeUnit.MILLISECONDS);
            if (o == null) {
                return null;
            }
            if (o instanceof Exception e) {
                throw e;
            }
            return (Event) o;
        }

        /** Takes a level event into {@code held} (key -> version; a level never goes back); its key. */
        String apply(Event e, Map<String, Long> held) throws IOException {
            assertThat(e.data(), e.type(), is("level"));
            JsonNode n = e.json();
            String key = n.get("lotId").asText() + "/" + n.get("levelId").asText();
            held.merge(key, n.get("version").asLong(), Math::max);
            return key;
        }

        private void read() {
            try (InputStream in = new BufferedInputStream(socket.getInputStream())) {
                String status = line(in);
                if (!status.contains(" 200 ")) {
                    throw new IOException("stream answered " + status);
                }
                boolean chunked = false;
                for (String h = line(in); !h.isEmpty(); h = line(in)) {
                    chunked |= h.toLowerCase(java.util.Locale.ROOT).startsWith("transfer-encoding:")
                            && h.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                }
                if (!chunked) {
                    throw new IOException("expected a chunked body");
                }
                StringBuilder text = new StringBuilder();
                while (true) {
                    reading.acquireUninterruptibly();
                    reading.release();
                    int size = Integer.parseInt(line(in).trim().split(";")[0], 16);
                    if (size == 0) {
                        return;
                    }
                    text.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                    line(in);
                    for (int end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
                        block(text.substring(0, end));
                        text.delete(0, end + 2);
                    }
                }
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    events.add(e);
                }
            }
        }

        private void block(String block) {
            String type = "message";
            List<String> data = new ArrayList<>();
            String id = null;
            for (String l : block.split("\n")) {
                if (l.startsWith("event: ")) {
                    type = l.substring(7);
                } else if (l.startsWith("data: ")) {
                    data.add(l.substring(6));
                } else if (l.startsWith("id: ")) {
                    id = l.substring(4);
                }
            }
            if (id != null) {
                lastId = id;
            }
            if (!data.isEmpty()) {
                events.add(new Event(type, String.join("\n", data), id));
            }
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("stream closed");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
