package org.openparking.cloud.opendata;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.opendata.LevelSource.LevelState;
import org.openparking.platform.jdbc.DelegatingDataSource;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.AvailabilityChanged.TypeCount;
import org.openparking.protocol.Json;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * The feeds on issue 16's in-memory live levels: repeated requests read no level from PostgreSQL (counted at
 * the connection pool the source is given), a new count is read once, and an edge's heartbeat alone leaves
 * every public answer, and so its ETag, unchanged.
 */
class LiveFeedsTest {
    private static final Duration EDGE_REFRESH = Duration.ofMillis(500);
    private static OpenDataFixture f;

    @BeforeAll
    static void start() throws Exception {
        OpenDataSettings d = OpenDataSettings.defaults();
        f = OpenDataFixture.start(new OpenDataSettings(1000, 1000, d.maxAge(), d.staleAfter(), d.trendWindow(),
                d.sampleInterval(), d.almostFullRatio(), EDGE_REFRESH));
        f.createOperator("olga", "olga-password-1", "op-a", "A", "B");
        String olga = f.login("olga", "olga-password-1");
        for (String lot : List.of("A", "B")) {
            ObjectNode site = Json.mapper().createObjectNode();
            site.put("published", true).put("name", "Lot " + lot).put("lat", 51.05).put("lon", 13.74)
                    .put("timeZone", "Europe/Berlin").put("openingHours", "24/7");
            TestHttp.Response r = f.put("/api/v1/lots/" + lot + "/open-data", olga, site.toString());
            assertThat(r.toString(), r.status(), is(200));
        }
        f.report("A", "L1", 100, 40, "OPEN", Map.of(VehicleType.EV, new TypeCount(6, 4)));
        f.report("B", "L1", 50, 20, "OPEN", Map.of());
        // Both levels sampled now, so no scheduled sample turns a trend from UNKNOWN mid-test.
        f.app.sampler().sample();
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /** Counts the connections handed out: each read of PostgreSQL takes one. */
    private static final class Counting extends DelegatingDataSource {
        final AtomicInteger taken = new AtomicInteger();

        Counting(javax.sql.DataSource d) {
            super(d);
        }

        @Override
        public Connection getConnection() throws SQLException {
            taken.incrementAndGet();
            return super.getConnection();
        }
    }

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private static LevelState levelA(List<LevelState> levels) {
        return levels.stream().filter(l -> l.lotId().equals("A")).findFirst().orElseThrow();
    }

    @Test
    void repeatedRequestsReadNoLevelFromPostgresAndANewCountIsReadOnce() throws Exception {
        Counting db = new Counting(f.app.dataSource());
        TestClock clock = new TestClock();
        var live = f.app.gateway().levels();
        await().atMost(Duration.ofSeconds(10)).until(live::current);
        LiveLevelSource source = new LiveLevelSource(live, db, Duration.ofMinutes(10), clock);

        LevelState first = levelA(source.levels(Set.of("A", "B")));
        assertThat(first.free(), is(40));
        assertThat(first.byType().get("EV"), is(new LevelSource.TypeCount(6, 4)));
        assertThat(first.lastSeen(), notNullValue());
        int afterFirst = db.taken.get();
        assertThat("types of both levels in one read, edges in one", afterFirst, is(2));

        for (int i = 0; i < 100; i++) {
            source.levels(Set.of("A", "B"));
        }
        assertThat("100 requests, no change: no read", db.taken.get(), is(afterFirst));

        f.report("A", "L1", 100, 33, "OPEN", Map.of(VehicleType.EV, new TypeCount(6, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> live.ofLot("A").getFirst().free() == 33);
        LevelState changed = levelA(source.levels(Set.of("A", "B")));
        assertThat(changed.free(), is(33));
        assertThat(changed.byType().get("EV"), is(new LevelSource.TypeCount(6, 1)));
        assertThat("only the changed level's types are read", db.taken.get(), is(afterFirst + 1));

        // The edges' last contact is re-read once its copy is older than the refresh, not before.
        Jdbc.inTransaction(f.app.dataSource(), c -> Jdbc.update(c,
                "UPDATE edges SET last_seen = now() - interval '1 hour' WHERE lot_id = 'A'"));
        source.levels(Set.of("A"));
        assertThat(db.taken.get(), is(afterFirst + 1));
        clock.now.set(clock.now.get().plus(Duration.ofMinutes(11)));
        LevelState silent = levelA(source.levels(Set.of("A")));
        assertThat(db.taken.get(), is(afterFirst + 2));
        assertThat(silent.lastSeen().isBefore(Instant.now().minus(Duration.ofMinutes(50))), is(true));
        Jdbc.inTransaction(f.app.dataSource(), c -> Jdbc.update(c,
                "UPDATE edges SET last_seen = now() WHERE lot_id = 'A'"));
    }

    @Test
    void whileTheLiveViewIsNotCurrentTheCountsComeFromPostgres() throws Exception {
        // A live view that has lost its feed (and holds nothing): the source must not serve it as live.
        org.openparking.cloud.portal.LiveLevels lost = new org.openparking.cloud.portal.LiveLevels() {
            @Override
            public List<org.openparking.cloud.portal.LevelAvailability> all() {
                return List.of();
            }

            @Override
            public List<org.openparking.cloud.portal.LevelAvailability> ofLot(String lotId) {
                return List.of();
            }

            @Override
            public boolean current() {
                return false;
            }
        };
        Counting db = new Counting(f.app.dataSource());
        LevelSource source = new LiveLevelSource(lost, db, Duration.ofMinutes(10), new TestClock());
        LevelState b = source.levels(Set.of("B")).getFirst();
        int inDb = Jdbc.read(f.app.dataSource(), c -> Jdbc.query(c,
                "SELECT free FROM levels WHERE lot_id = 'B'", rs -> rs.getInt(1))).getFirst();
        assertThat(b.free(), is(inDb));
        assertThat(b.lastSeen(), notNullValue());
        assertThat("read from PostgreSQL", db.taken.get(), is(1));
    }

    private static String etag(String path) {
        TestHttp.Response r = f.get(path);
        assertThat(r.toString(), r.status(), is(200));
        return r.header("ETag");
    }

    private static Instant lastSeenInDb() throws SQLException {
        return Jdbc.read(f.app.dataSource(), c -> Jdbc.query(c,
                "SELECT last_seen FROM edges WHERE lot_id = 'B'", rs -> Jdbc.instant(rs.getTimestamp(1)))).getFirst();
    }

    @Test
    void aHeartbeatAloneLeavesEveryPublicAnswerUnchangedAndANewCountChangesIt() throws Exception {
        List<String> paths = List.of("/open-data/v1/lots/B", "/open-data/v1/parkapi/v3/parking-sites",
                "/open-data/v1/datex2/parking-light", "/open-data/v1/apds/places/B/occupancy");
        Map<String, String> before = new java.util.HashMap<>();
        for (String p : paths) {
            before.put(p, etag(p));
        }

        Instant seen = lastSeenInDb();
        // The heartbeat is stamped with the clock: it must read later than the contact already stored.
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(seen.plusMillis(1)));
        f.heartbeat("B", "L1");
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSeenInDb().isAfter(seen));
        // Until past the feeds' refresh of last contact (so the heartbeat is in what they read), no answer changes.
        Duration refreshes = EDGE_REFRESH.multipliedBy(3);
        await().during(refreshes).atMost(refreshes.plusSeconds(10)).untilAsserted(() -> {
            for (String p : paths) {
                assertThat(p + " after a heartbeat", etag(p), is(before.get(p)));
            }
        });

        JsonNode lot = f.get("/open-data/v1/lots/B").body();
        assertThat("a fresh level carries no lastSeen", lot.path("levels").get(0).has("lastSeen")
                && !lot.path("levels").get(0).get("lastSeen").isNull(), is(false));

        f.report("B", "L1", 50, 19, "OPEN", Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> !etag("/open-data/v1/lots/B")
                .equals(before.get("/open-data/v1/lots/B")));
        assertThat(f.get("/open-data/v1/lots/B").body().path("free").asInt(), is(19));
        for (String p : paths) {
            assertThat(p + " after a new count", etag(p), not(before.get(p)));
        }
    }
}
