package org.openparking.cloud.history;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.auth.Role;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * The history behind the portal's charts, against PostgreSQL and the real ingest: a simulated day of three
 * levels in two tenants' lots goes in through the broker, and what the endpoints answer is compared, point by
 * point, with what the simulation reported (computed from its own lists, not from the database).
 */
class HistoryApiTest {
    private static HistoryFixture fx;
    private static String olga;
    private static String bert;
    private static String root;

    @BeforeAll
    static void driveADay() throws Exception {
        fx = HistoryFixture.start(15);
        olga = fx.login("olga", "olga-password-1");
        bert = fx.login("bert", "bert-password-1");
        root = fx.app.gateway().tokens().issue("root", Role.ADMIN, null).token();
        fx.describeLotA(olga);
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void occupancyOfTheLast24HoursIsWhatEachLevelReportedStepByStep() {
        JsonNode h = fx.getOk("/api/v1/lots/A/history/occupancy?range=24h", olga);
        assertThat(h.get("name").asText(), is("Harbour Garage"));
        assertThat(h.get("timeZone").asText(), is(HistoryFixture.ZONE));
        assertThat(h.get("stepSeconds").asLong(), is(300L));
        assertThat(GatewayLists.levelIds(h), is(List.of("L1", "L2")));
        int compared = 0;
        for (JsonNode level : h.get("levels")) {
            String levelId = level.get("levelId").asText();
            assertThat(level.get("points").size(), is(288));
            for (JsonNode p : level.get("points")) {
                Instant at = Instant.parse(p.get("at").asText());
                Instant stepEnd = at.plusSeconds(300);
                Integer expected = fx.day.occupiedAt("A", levelId, stepEnd.minusNanos(1));
                Integer expectedMax = fx.day.maxIn("A", levelId, at, stepEnd);
                assertThat(levelId + " at " + at, p.get("occupied").isNull() ? null : p.get("occupied").asInt(),
                        is(expected));
                assertThat(levelId + " max at " + at, p.get("max").isNull() ? null : p.get("max").asInt(),
                        is(expectedMax));
                if (expected != null) {
                    compared++;
                }
            }
        }
        // Nearly the whole day is covered (the simulation starts 37 s into it).
        assertThat(compared, greaterThan(2 * 285));
    }

    @Test
    void occupancyOfTheLast7DaysHasHourlyPeaksAndNothingBeforeTheDay() {
        JsonNode h = fx.getOk("/api/v1/lots/A/history/occupancy?range=7d", olga);
        assertThat(h.get("stepSeconds").asLong(), is(3600L));
        for (JsonNode level : h.get("levels")) {
            String levelId = level.get("levelId").asText();
            assertThat(level.get("points").size(), is(168));
            for (JsonNode p : level.get("points")) {
                Instant at = Instant.parse(p.get("at").asText());
                Integer expectedMax = fx.day.maxIn("A", levelId, at, at.plusSeconds(3600));
                assertThat(levelId + " peak of the hour at " + at, p.get("max").isNull() ? null : p.get("max").asInt(),
                        is(expectedMax));
            }
        }
    }

    @Test
    void edgeHealthShowsTheSilentHourAndTheBacklogItLeft() {
        JsonNode h = fx.getOk("/api/v1/lots/A/history/edges?range=24h", olga);
        int silentSteps = 0;
        long maxAge = 0;
        for (JsonNode edge : h.get("edges")) {
            String edgeId = edge.get("edgeId").asText();
            for (JsonNode p : edge.get("points")) {
                Instant at = Instant.parse(p.get("at").asText());
                double expected = fx.day.minutesSeen(edgeId, at, at.plusSeconds(300)) / 5.0;
                assertThat(edgeId + " online at " + at, p.get("online").asDouble(), closeTo(expected, 1e-9));
                if (edgeId.equals(fx.day.silentEdge) && expected == 0 && at.isAfter(fx.day.start)) {
                    silentSteps++;
                    assertThat(p.get("outboxPending").isNull(), is(true));
                }
                if (!p.get("oldestPendingAgeSeconds").isNull()) {
                    maxAge = Math.max(maxAge, p.get("oldestPendingAgeSeconds").asLong());
                }
            }
        }
        // The silent hour covers 11 or 12 whole 5-minute steps, depending on where in a step it began.
        assertThat("steps of the hour the edge was silent", silentSteps, greaterThan(10));
        long reportedMax = fx.day.statuses.stream().mapToLong(SimulatedDay.Status::age).max().orElseThrow();
        assertThat(maxAge, is(reportedMax));
    }

    @Test
    void revenueAndOutcomesPerDayAreCountedInTheLotsTimeZone() {
        ZoneId zone = ZoneId.of(HistoryFixture.ZONE);
        JsonNode r = fx.getOk("/api/v1/lots/A/history/revenue?days=5", olga);
        assertThat(r.get("timeZone").asText(), is(HistoryFixture.ZONE));
        Map<LocalDate, Long> paid = fx.day.paidPerDay("A", zone);
        Map<LocalDate, Long> declined = fx.day.countPerDay("A", zone, PaymentResult.Outcome.DECLINED);
        Map<LocalDate, Long> waiting = fx.day.countPerDay("A", zone, null);
        List<String> days = new ArrayList<>();
        long total = 0;
        for (JsonNode d : r.get("days")) {
            LocalDate day = LocalDate.parse(d.get("day").asText());
            days.add(day.toString());
            assertThat("paid on " + day, d.path("paid").path("EUR").asLong(0), is(paid.getOrDefault(day, 0L)));
            assertThat("declined on " + day, (long) d.get("declined").asInt(), is(declined.getOrDefault(day, 0L)));
            assertThat("waiting on " + day, (long) d.get("pending").asInt(), is(waiting.getOrDefault(day, 0L)));
            total += d.path("paid").path("EUR").asLong(0);
        }
        assertThat(days.getLast(), is(LocalDate.now(zone).toString()));
        assertThat(days.size(), is(5));
        // Every paid payment of the three days is on one of the five days, none twice.
        assertThat(total, is(paid.values().stream().mapToLong(Long::longValue).sum()));
        // The same payments in UTC days split differently: the zone is applied, not just reported.
        JsonNode b = fx.getOk("/api/v1/lots/B/history/revenue?days=5", root);
        assertThat(b.get("timeZone").asText(), is("UTC"));
        Map<LocalDate, Long> paidB = fx.day.paidPerDay("B", ZoneId.of("UTC"));
        for (JsonNode d : b.get("days")) {
            assertThat(d.path("paid").path("EUR").asLong(0),
                    is(paidB.getOrDefault(LocalDate.parse(d.get("day").asText()), 0L)));
        }
    }

    @Test
    void aTenantSeesOnlyItsOwnLotsHistory() {
        for (String path : List.of("occupancy?range=24h", "occupancy?range=7d", "edges?range=24h", "revenue?days=3")) {
            TestHttp.Response other = fx.request("GET", "/api/v1/lots/A/history/" + path, bert, null);
            assertThat(path, other.status(), is(404));
            assertThat(other.text(), not(containsString("Harbour")));
            assertThat(other.text(), not(containsString("L2")));
            assertThat(fx.request("GET", "/api/v1/lots/B/history/" + path, olga, null).status(), is(404));
            assertThat(fx.request("GET", "/api/v1/lots/B/history/" + path, bert, null).status(), is(200));
            assertThat(fx.request("GET", "/api/v1/lots/A/history/" + path, null, null).status(), is(401));
        }
        // B's viewer sees B's level and nothing of A's in its own answer.
        JsonNode b = fx.getOk("/api/v1/lots/B/history/occupancy?range=24h", bert);
        assertThat(GatewayLists.levelIds(b), is(List.of("L1")));
        assertThat(b.toString(), not(containsString("Harbour")));
        // A lot nobody knows is 404 for a platform user too, with the JSON error shape.
        TestHttp.Response unknown = fx.request("GET", "/api/v1/lots/NOPE/history/occupancy", root, null);
        assertThat(unknown.status(), is(404));
        assertThat(unknown.body().get("error").asText(), is("LOT_NOT_FOUND"));
    }

    @Test
    void badParametersAreRefusedByName() {
        for (String path : List.of("occupancy?range=1y", "edges?range=24", "revenue?days=0", "revenue?days=91",
                "revenue?days=many")) {
            TestHttp.Response r = fx.request("GET", "/api/v1/lots/A/history/" + path, olga, null);
            assertThat(path, r.status(), is(400));
            assertThat(r.body().get("error").asText(), is("INVALID_REQUEST"));
            assertThat(r.body().get("message").asText(), containsString(path.contains("range") ? "range" : "days"));
        }
    }

    @Test
    void aPollWithTheETagIsNotModifiedUntilTheLevelChanges() throws Exception {
        String path = "/api/v1/lots/B/history/occupancy?range=24h";
        TestHttp.Response first = fx.request("GET", path, bert, null);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        TestHttp.Response again = fx.request("GET", path, bert, null, "If-None-Match", etag);
        assertThat(again.status(), is(304));
        // One more car on B/L1 now: the newest step shows it, the view is new.
        JsonNode last = lastPoint(first.body());
        int now = last.get("occupied").asInt() + 1;
        fx.publishFromEdge(Envelope.of(Envelope.edgeId("B", "L1"), "B", "L1", 100_000, Instant.now(),
                new AvailabilityChanged(50, now, 50 - now,
                        Map.of(VehicleType.STANDARD, new AvailabilityChanged.TypeCount(50, 50 - now)), "OPEN",
                        100_000, Instant.now())));
        TestHttp.Response changed = fx.request("GET", path, bert, null, "If-None-Match", etag);
        assertThat(changed.status(), is(200));
        assertThat(changed.headers().firstValue("ETag").orElseThrow(), not(is(etag)));
        assertThat(lastPoint(changed.body()).get("occupied").asInt(), is(now));
    }

    @Test
    void oldBucketsArePrunedAndRecentOnesKept() throws Exception {
        Instant old = Instant.now().minus(Duration.ofHours(30));
        Instant ancient = Instant.now().minus(Duration.ofDays(9));
        for (Instant t : List.of(ancient, old)) {
            long v = t.getEpochSecond();
            fx.publishFromEdge(Envelope.of(Envelope.edgeId("C", "L1"), "C", "L1", t == ancient ? 1 : 2, t,
                    new AvailabilityChanged(10, 3, 7,
                            Map.of(VehicleType.STANDARD, new AvailabilityChanged.TypeCount(10, 7)), "OPEN", v, t)));
        }
        assertThat(rows("m"), is(2L));
        assertThat(rows("h"), is(2L));
        int pruned = fx.app.retention().prune();
        assertThat(pruned, greaterThan(0));
        // The 30-hour-old change keeps its hour (the 7-day chart) but not its minute; the 9-day-old one is gone.
        assertThat(rows("m"), is(0L));
        assertThat(rows("h"), is(1L));
        // The simulated day itself is within both retentions.
        long minutesWithAChange = fx.day.changes.stream().filter(c -> c.lotId().equals("A"))
                .map(c -> c.levelId() + "@" + c.at().truncatedTo(java.time.temporal.ChronoUnit.MINUTES)).distinct()
                .count();
        assertThat(count("SELECT count(*) FROM occupancy_history WHERE lot_id = 'A' AND resolution = 'm'"),
                is(minutesWithAChange));
        assertThat(fx.getOk("/api/v1/lots/C/history/occupancy?range=7d", root), notNullValue());
    }

    private static long rows(String resolution) throws Exception {
        return count("SELECT count(*) FROM occupancy_history WHERE lot_id = 'C' AND resolution = '" + resolution + "'");
    }

    private static long count(String sql) throws Exception {
        try (Connection c = fx.database.connect(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static JsonNode lastPoint(JsonNode occupancy) {
        JsonNode points = occupancy.get("levels").get(0).get("points");
        return points.get(points.size() - 1);
    }

    /** Small readers of the views. */
    static final class GatewayLists {
        static List<String> levelIds(JsonNode view) {
            List<String> ids = new ArrayList<>();
            view.get("levels").forEach(l -> ids.add(l.get("levelId").asText()));
            return ids;
        }
    }
}
