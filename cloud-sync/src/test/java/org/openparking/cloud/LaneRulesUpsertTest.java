package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.rabbitmq.client.GetResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.UpdateLaneRules;
import org.openparking.testing.TestHttp;

/**
 * A permit, pool or reservation saved again with fields left out keeps what it stored for them (an operator who
 * re-saves a suspended permit to change its plate must not lift the suspension), through the real API, the stored
 * row in PostgreSQL and the {@code command.update-lane-rules} snapshot in the level's queue.
 */
class LaneRulesUpsertTest extends SharedCloudTest {
    private static final String UNTIL = "2031-01-01T00:00:00Z";

    @Test
    void aPermitSavedAgainWithoutSuspendedStaysSuspendedAndKeepsEveryFieldLeftOut() throws Exception {
        String lot = level("perm");
        saved(api.post("/api/v1/lots/" + lot + "/pools", "{\"poolId\":\"acme\",\"max\":2}"));
        saved(api.post("/api/v1/lots/" + lot + "/permits", "{\"permitId\":\"p1\",\"plate\":\"AB-1\",\"card\":\"C-77\","
                + "\"validUntil\":\"" + UNTIL + "\",\"window\":\"SOFT\",\"levels\":[\"L0\"],\"poolId\":\"acme\"}"));
        saved(api.post("/api/v1/lots/" + lot + "/permits/p1/suspend", "{\"suspended\":true,\"reason\":\"unpaid\"}"));
        pushed(lot);

        TestHttp.Response again = api.post("/api/v1/lots/" + lot + "/permits", "{\"permitId\":\"p1\",\"plate\":\"AB-2\"}");
        saved(again);
        assertThat(again.text(), again.body().at("/item/suspended").asBoolean(), is(true));
        Map<String, Object> row = row("SELECT plate, card, valid_until, time_window, array_to_string(levels, ','),"
                + " pool_id, suspended, suspended_reason FROM lane_permits WHERE lot_id = ? AND permit_id = 'p1'", lot);
        assertThat(row.toString(), row.get("plate"), is("AB2"));
        assertThat(row.toString(), row.get("suspended"), is(true));
        assertThat(row.toString(), row.get("suspended_reason"), is("unpaid"));
        assertThat(row.toString(), row.get("card"), is("C-77"));
        assertThat(row.toString(), ((java.sql.Timestamp) row.get("valid_until")).toInstant(), is(Instant.parse(UNTIL)));
        assertThat(row.toString(), row.get("time_window"), is("SOFT"));
        assertThat(row.toString(), row.get("array_to_string"), is("L0"));
        assertThat(row.toString(), row.get("pool_id"), is("acme"));
        UpdateLaneRules.Permit atTheEdge = pushed(lot).getLast().permits().getFirst();
        assertThat(atTheEdge.toString(), atTheEdge.suspended(), is(true));
        assertThat(atTheEdge.toString(), atTheEdge.plate(), is("AB2"));
        assertThat(atTheEdge.toString(), atTheEdge.poolId(), is("acme"));
        assertThat(atTheEdge.toString(), atTheEdge.levels(), is(List.of("L0")));

        // Given explicitly, a field is set: false reinstates (and drops the reason), null clears what may be empty.
        saved(api.post("/api/v1/lots/" + lot + "/permits", "{\"permitId\":\"p1\",\"suspended\":false,"
                + "\"validUntil\":null,\"poolId\":null}"));
        row = row("SELECT suspended, suspended_reason, valid_until, pool_id, plate FROM lane_permits"
                + " WHERE lot_id = ? AND permit_id = 'p1'", lot);
        assertThat(row.toString(), row.get("suspended"), is(false));
        assertThat(row.toString(), row.get("suspended_reason"), nullValue());
        assertThat(row.toString(), row.get("valid_until"), nullValue());
        assertThat(row.toString(), row.get("pool_id"), nullValue());
        assertThat(row.toString(), row.get("plate"), is("AB2"));
        atTheEdge = pushed(lot).getLast().permits().getFirst();
        assertThat(atTheEdge.toString(), atTheEdge.suspended(), is(false));
        assertThat(atTheEdge.toString(), atTheEdge.validUntil(), nullValue());

        saved(api.post("/api/v1/lots/" + lot + "/permits", "{\"permitId\":\"p1\",\"suspended\":true}"));
        assertThat(pushed(lot).getLast().permits().getFirst().suspended(), is(true));

        // A new permit without the field is not suspended; a null suspension is refused by name, nothing stored.
        TestHttp.Response fresh = api.post("/api/v1/lots/" + lot + "/permits", "{\"permitId\":\"p2\",\"plate\":\"CD-3\"}");
        assertThat(fresh.text(), fresh.status(), is(201));
        assertThat(fresh.text(), fresh.body().at("/item/suspended").asBoolean(), is(false));
        TestHttp.Response nulled = api.post("/api/v1/lots/" + lot + "/permits", "{\"permitId\":\"p1\",\"suspended\":null}");
        assertThat(nulled.text(), nulled.status(), is(400));
        assertThat(nulled.text(), nulled.error(), is("INVALID_REQUEST"));
        assertThat(nulled.text(), nulled.body().path("message").asText(), containsString("suspended"));
        assertThat(row("SELECT suspended FROM lane_permits WHERE lot_id = ? AND permit_id = 'p1'", lot)
                .get("suspended"), is(true));
    }

    @Test
    void aPoolAndAReservationSavedAgainKeepTheirSharesLevelAndPrepaid() throws Exception {
        String lot = level("pool");
        saved(api.post("/api/v1/lots/" + lot + "/pools", "{\"poolId\":\"acme\",\"max\":4,\"levelShares\":{\"L0\":1}}"));
        saved(api.post("/api/v1/lots/" + lot + "/pools", "{\"poolId\":\"acme\",\"max\":5}"));
        assertThat(row("SELECT max_inside, level_shares::text FROM lane_pools WHERE lot_id = ?", lot).toString(),
                is("{max_inside=5, level_shares={\"L0\": 1}}"));
        UpdateLaneRules.Pool pool = pushed(lot).getLast().pools().getFirst();
        assertThat(pool.toString(), pool.shareOf("L0"), is(1));

        Instant from = Instant.parse("2030-06-01T18:00:00Z");
        String window = "\"from\":\"" + from + "\",\"until\":\"" + from.plusSeconds(7200) + "\"";
        saved(api.post("/api/v1/lots/" + lot + "/reservations", "{\"reservationId\":\"r1\",\"plate\":\"EV-1\","
                + window + ",\"levelId\":\"L0\",\"prepaid\":true}"));
        saved(api.post("/api/v1/lots/" + lot + "/reservations", "{\"reservationId\":\"r1\",\"plate\":\"EV-2\","
                + window + "}"));
        Map<String, Object> row = row("SELECT plate, level_id, prepaid FROM lane_reservations WHERE lot_id = ?", lot);
        assertThat(row.toString(), row.get("plate"), is("EV2"));
        assertThat(row.toString(), row.get("level_id"), is("L0"));
        assertThat(row.toString(), row.get("prepaid"), is(true));
        UpdateLaneRules.Reservation atTheEdge = pushed(lot).getLast().reservations().getFirst();
        assertThat(atTheEdge.toString(), atTheEdge.prepaid(), is(true));
        assertThat(atTheEdge.toString(), atTheEdge.levelId(), is("L0"));

        saved(api.post("/api/v1/lots/" + lot + "/reservations", "{\"reservationId\":\"r1\"," + window
                + ",\"prepaid\":false,\"levelId\":null}"));
        row = row("SELECT plate, level_id, prepaid FROM lane_reservations WHERE lot_id = ?", lot);
        assertThat(row.toString(), row.get("prepaid"), is(false));
        assertThat(row.toString(), row.get("level_id"), nullValue());
        assertThat(row.toString(), row.get("plate"), is("EV2"));
    }

    /** A fresh lot with one registered level, its queue drained; returns the lot id. */
    private static String level(String prefix) throws Exception {
        String lot = prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        saved(api.post("/api/v1/edges", "{\"lotId\":\"" + lot + "\",\"levelId\":\"L0\"}"));
        cloud.drain(Topology.edgeQueue(Envelope.edgeId(lot, "L0")));
        return lot;
    }

    /** The lane-rules snapshots waiting in level L0's queue, oldest first. */
    private static List<UpdateLaneRules> pushed(String lot) throws Exception {
        List<UpdateLaneRules> out = new ArrayList<>();
        for (GetResponse r : cloud.drain(Topology.edgeQueue(Envelope.edgeId(lot, "L0")))) {
            if (MessageCodec.decode(r.getBody()).payload() instanceof UpdateLaneRules u) {
                out.add(u);
            }
        }
        return out;
    }

    private static Map<String, Object> row(String sql, String lot) throws SQLException {
        try (Connection c = cloud.database.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, lot);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(sql, rs.next(), is(true));
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                return row;
            }
        }
    }

    private static void saved(TestHttp.Response r) {
        if (r.status() != 200 && r.status() != 201) {
            throw new AssertionError(r.status() + " " + r.text());
        }
    }
}
