package org.openparking.cloud;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.ingest.AfterCommitHook;
import org.openparking.cloud.lanes.LaneRulesStore;
import org.openparking.protocol.ReservationCodes;
import org.openparking.protocol.UpdateLaneRules;
import org.openparking.testing.TestHttp;

/**
 * The lot's reservation signing key in cloud-sync (PostgreSQL, the real API): codes are signed with the current
 * key, a rotation makes a new one, and the snapshot a level would get carries the retired key exactly as long as a
 * running reservation is still signed with it. Judged by the codes' own key ids and the snapshot built from the
 * database.
 */
class ReservationKeysTest {

    private static String keyIdOf(String code) {
        String payload = new String(Base64.getUrlDecoder().decode(code.split("\\.")[1]), StandardCharsets.UTF_8);
        return payload.split("\\|")[0];
    }

    private static List<String> snapshotKeys(CloudFixture cloud, String lot, Map<String, PublicKey> keys)
            throws Exception {
        try (Connection c = cloud.database.connect()) {
            UpdateLaneRules rules = LaneRulesStore.latest(c, lot);
            List<String> ids = new ArrayList<>();
            for (UpdateLaneRules.ReservationKey k : rules.reservationKeys()) {
                ids.add(k.keyId());
                keys.put(k.keyId(), ReservationCodes.decodePublic(k.publicKey()));
            }
            return ids;
        }
    }

    private static String book(ApiClient api, String lot, String id, Instant until) throws Exception {
        TestHttp.Response r = api.post("/api/v1/lots/" + lot + "/reservations", "{\"reservationId\":\"" + id
                + "\",\"from\":\"" + Instant.now().minus(1, ChronoUnit.MINUTES) + "\",\"until\":\"" + until + "\"}");
        assertThat(r.text(), r.status() == 200 || r.status() == 201, is(true));
        return r.body().at("/item/code").asText();
    }

    @Test
    void aRotationKeepsIssuedCodesValidWhileTheirReservationRunsAndSignsNewOnesWithTheNewKey() throws Exception {
        String lot = "keys-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        try (CloudFixture cloud = CloudFixture.start(AfterCommitHook.NONE)) {
            ApiClient api = new ApiClient(cloud.baseUrl(), cloud.adminToken());
            Instant until = Instant.now().plus(2, ChronoUnit.HOURS);
            String first = book(api, lot, "r1", until);
            String k1 = keyIdOf(first);

            TestHttp.Response rotated = api.post("/api/v1/lots/" + lot + "/reservation-keys/rotate", "{}");
            assertThat(rotated.text(), rotated.status(), is(201));
            JsonNode item = rotated.body().path("item");
            String k2 = item.path("keyId").asText();
            assertThat(item.path("retiredKeyId").asText(), is(k1));
            assertThat(k2, is(not(k1)));
            assertThat("only the public key is ever answered", rotated.text().contains("rivate"), is(false));

            String second = book(api, lot, "r2", until);
            assertThat(keyIdOf(second), is(k2));
            Map<String, PublicKey> keys = new HashMap<>();
            assertThat("the retired key still signs r1, which runs", snapshotKeys(cloud, lot, keys), contains(k1, k2));
            assertThat(ReservationCodes.verify(first, keys).reservationId(), is("r1"));
            assertThat(ReservationCodes.verify(second, keys).reservationId(), is("r2"));

            // r1 re-saved: re-signed with the new key, so the retired one signs nothing running and is dropped.
            String resigned = book(api, lot, "r1", until.plus(1, ChronoUnit.HOURS));
            assertThat(keyIdOf(resigned), is(k2));
            Map<String, PublicKey> after = new HashMap<>();
            assertThat(snapshotKeys(cloud, lot, after), contains(k2));
            ReservationCodes.InvalidCode old = org.junit.jupiter.api.Assertions.assertThrows(
                    ReservationCodes.InvalidCode.class, () -> ReservationCodes.verify(first, after));
            assertThat(old.failure(), is(ReservationCodes.Failure.UNKNOWN_KEY));

            JsonNode audit = api.get("/api/v1/audit?lot=" + lot + "&action=reservation-key.rotate").body();
            assertThat(audit.toString(), audit.size(), is(1));
        }
    }
}
