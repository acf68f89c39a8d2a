package org.openparking.edge.session;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.testing.TestHttp.Response;
import org.openparking.protocol.VehicleType;

/**
 * The pay-station side of the offline payment policy, on a real edge with no cloud (link OFFLINE_ONLY):
 * a card is only taken while payments are online, nothing owed needs no card, a card number is refused,
 * and a refused pay-station attempt leaves the exit to the floor-limit rule.
 */
class PayStationPolicyTest {
    private TestEdge edge;

    @BeforeEach
    void start() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2));
    }

    @AfterEach
    void stop() {
        edge.close();
    }

    private Response pay(String ticket, String paymentMethod) {
        return edge.post("/pay-station/payments",
                "{\"ticket\":\"" + ticket + "\",\"paymentMethod\":\"" + paymentMethod + "\"}");
    }

    @Test
    void offlineThePayStationTakesNoCardAndTheExitStillDefersUnderTheFloor() {
        String ticket = edge.enterAndPass("PS1").get("ticket").asText();
        String sessionId = edge.get("/sessions?status=OPEN").body().get(0).get("sessionId").asText();
        edge.clock().advance(Duration.ofHours(3)); // 900 cents, under the 1500 floor

        Response refused = pay(ticket, "pm_card_visa");
        assertThat(refused.toString(), refused.status(), is(503));
        assertThat(refused.error(), is("PAYMENTS_UNAVAILABLE"));
        assertThat(edge.app().parking().paymentsOf(sessionId), is(empty()));

        Response exit = edge.post("/lanes/out-1/exits",
                "{\"ticket\":\"" + ticket + "\",\"paymentMethod\":\"pm_card_visa\"}");
        assertThat(exit.body().at("/payment/status").asText(), is("DEFERRED"));
    }

    @Test
    void nothingOwedNeedsNoCardAndGivesTheGraceToLeave() {
        String ticket = edge.enterAndPass("PS2").get("ticket").asText();
        edge.clock().advance(Duration.ofMinutes(10)); // within the 15 free minutes
        Instant now = edge.clock().instant();

        Response receipt = pay(ticket, "pm_card_visa");
        assertThat(receipt.toString(), receipt.status(), is(200));
        assertThat(receipt.body().get("status").asText(), is("NOT_REQUIRED"));
        assertThat(receipt.body().get("amount").asLong(), is(0L));
        assertThat(Instant.parse(receipt.body().get("exitBefore").asText()),
                is(now.plus(edge.settings().payments().payStationGrace())));
    }

    @Test
    void aCardNumberIsRefusedAtThePayStationAndNeverEchoed() {
        String ticket = edge.enterAndPass("PS3").get("ticket").asText();
        edge.clock().advance(Duration.ofHours(1));
        Response r = pay(ticket, "4242 4242 4242 4242");
        assertThat(r.status(), is(400));
        assertThat(r.error(), is("CARD_NUMBER_REFUSED"));
        assertThat(r.text(), not(containsString("4242")));
    }
}
