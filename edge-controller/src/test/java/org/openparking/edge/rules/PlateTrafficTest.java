package org.openparking.edge.rules;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.firmware.SimulatedPlateReader;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Plates;
import org.openparking.protocol.UpdateLaneRules;
import org.openparking.testing.TestHttp.Response;

/**
 * A short day of plate traffic on one offline level: permit holders of a pool, pre-booked cars and pay-by-plate
 * walk-ins pass cameras that fail the known ways ({@link SimulatedPlateReader}: confusions, missed characters at
 * 75-85 %, a parked car's plate, no read). A driver whose read is refused falls back to the card or the ticket,
 * as at a real lane. The report counts refusals by reason; no permit holder may end up refused while the rules
 * let them in, none pays, and every car gets out.
 */
class PlateTrafficTest {
    private static final SimulatedPlateReader.Errors ERRORS = new SimulatedPlateReader.Errors(0.2, 0.2, 0.1, 0.1);

    @Test
    void permitHoldersAreNeverRefusedByAFailingCameraAndRefusalsAreCountedByReason() {
        try (TestEdge edge = TestEdge.start(Map.of(org.openparking.protocol.VehicleType.STANDARD, 40))) {
            List<String> inside = new ArrayList<>();
            // At the entry the parked car misread is one inside; at the exit one on the street (see docs/lanes.md:
            // a confident misread of another car inside that has an account is the hazard the gate cannot catch).
            SimulatedPlateReader entryCam = new SimulatedPlateReader("in-1", 0.9, ERRORS, 7, edge.clock(),
                    () -> List.copyOf(inside));
            SimulatedPlateReader exitCam = new SimulatedPlateReader("out-1", 0.9, ERRORS, 11, edge.clock(),
                    List.of("STREET-1", "STREET-2"));
            entryCam.onRead(edge.app().plateReads()::record);
            exitCam.onRead(edge.app().plateReads()::record);
            List<UpdateLaneRules.Permit> permits = new ArrayList<>();
            List<UpdateLaneRules.Account> accounts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                permits.add(new UpdateLaneRules.Permit("p" + i, "PB-10" + i, "CARD-" + i, null, null,
                        UpdateLaneRules.Window.HARD, List.of(), "corp", false));
                accounts.add(new UpdateLaneRules.Account("WB-8" + i, "pm_card_visa"));
            }
            edge.app().commands().apply(Envelope.of("lot-t.L0", "lot-t", "L0", 1, edge.clock().instant(),
                    new UpdateLaneRules(1, edge.clock().instant(), permits,
                            List.of(new UpdateLaneRules.Pool("corp", 6, Map.of())), List.of(), accounts)));

            Map<String, Integer> refusals = new TreeMap<>();
            Map<String, String> tickets = new TreeMap<>();
            int permitHoldersRefused = 0;
            long permitFees = 0;
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 6; i++) {
                    for (String plate : List.of("PB-10" + i, "WB-8" + i)) {
                        entryCam.vehicleAt(plate);
                        Response r = edge.post("/lanes/in-1/entries", "{}");
                        boolean permit = plate.startsWith("PB");
                        if (r.status() != 201 || !Plates.same(plateOf(edge, r), plate)) {
                            if (r.status() == 201) {
                                // No confident read: the lane issued a plain ticket. The driver (a permit
                                // holder would rather show the card) backs out with it inside the grace period.
                                refusals.merge("TICKET_ISSUED_NO_CONFIDENT_READ", 1, Integer::sum);
                                edge.pass("in-1");
                                assertThat(exitByTicket(edge, r.body().path("ticket").asText()).status(), is(200));
                            } else {
                                refusals.merge(r.body().path("error").asText(), 1, Integer::sum);
                            }
                            // The fallback a driver has: the permit's card, or the plate typed in.
                            r = edge.post("/lanes/in-1/entries", permit ? "{\"card\":\"CARD-" + i + "\"}"
                                    : "{\"plate\":\"" + plate + "\"}");
                        }
                        if (r.status() != 201) {
                            refusals.merge(r.body().path("error").asText(), 1, Integer::sum);
                            if (permit) {
                                permitHoldersRefused++;
                            }
                            continue;
                        }
                        edge.pass("in-1");
                        inside.add(plate);
                        tickets.put(plate, r.body().path("ticket").asText());
                    }
                }
                edge.clock().advance(Duration.ofHours(2));
                for (String plate : new ArrayList<>(inside)) {
                    exitCam.vehicleAt(plate);
                    Response out = edge.post("/lanes/out-1/exits", "{\"ticketless\":true}");
                    if (out.status() != 200) {
                        refusals.merge(out.body().path("error").asText(), 1, Integer::sum);
                        out = exitByTicket(edge, tickets.get(plate));
                    } else {
                        edge.pass("out-1");
                    }
                    assertThat(plate + ": " + out.text(), out.status(), is(200));
                    if (plate.startsWith("PB")) {
                        permitFees += out.body().at("/fee/amount").asLong();
                    }
                    inside.remove(plate);
                }
            }
            System.out.println("plate traffic refusals by reason: " + refusals);
            assertThat("no permit holder refused while the rules let them in", permitHoldersRefused, is(0));
            assertThat("permit holders pay nothing", permitFees, is(0L));
            assertThat("every car left", edge.get("/sessions?status=OPEN").body().size(), is(0));
            assertThat("the cameras failed, and the lanes said why", refusals.getOrDefault("LOW_CONFIDENCE", 0),
                    greaterThan(0));
            assertThat(edge.getRoot("/observe/metrics").text().contains("reason=\"LOW_CONFIDENCE\""), is(true));
        }
    }

    private static String plateOf(TestEdge edge, Response entry) {
        JsonNode s = edge.get("/sessions/" + entry.body().path("sessionId").asText()).body();
        return s.path("plate").asText();
    }

    private static Response exitByTicket(TestEdge edge, String ticket) {
        Response out = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\",\"paymentMethod\":\"pm_card_visa\"}");
        if (out.status() == 200) {
            edge.pass("out-1");
        }
        return out;
    }
}
