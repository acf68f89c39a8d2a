package org.openparking.edge.session;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.protocol.CloseSessionElsewhere;
import org.openparking.protocol.CommandApplied;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.MessageType;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * {@code command.close-session} on a real edge (real SQLite, HTTP, simulated hardware): a car that entered on this
 * level and left through another level's exit stops holding its space and its plate here, exactly once, without a
 * second {@code session.closed}; on a counting level with ramps the ramp already counted it out.
 */
class CloseSessionElsewhereTest {
    private static final Instant EXIT = Instant.parse("2026-11-25T12:00:00Z");

    private TestEdge edge;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    private static Envelope command(String sessionId) {
        return Envelope.of("lot-t.L0", "lot-t", "L0", 1, Instant.now(),
                new CloseSessionElsewhere(sessionId, EXIT, "lot-t.L1", "L1"));
    }

    private long outboxCount(String type) {
        return edge.app().database().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM outbox WHERE type = ?")) {
                ps.setString(1, type);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private List<CommandApplied> receipts() {
        return edge.app().database().read(c -> {
            List<CommandApplied> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT body FROM outbox WHERE type = ? ORDER BY seq")) {
                ps.setString(1, MessageType.COMMAND_APPLIED);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        try {
                            result.add((CommandApplied) MessageCodec.decode(rs.getBytes(1)).payload());
                        } catch (org.openparking.protocol.ProtocolException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            }
            return result;
        });
    }

    /** Enters, has the session closed by the command, and checks everything a sensor or plain counting level shows. */
    private void closesAndFreesTheSpace(EdgeSettings.OccupancyMode mode) {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2), mode);
        String sessionId = edge.enterAndPass("AB-123").get("sessionId").asText();
        assertThat(edge.free(), is(1L));
        long closedEvents = outboxCount(MessageType.SESSION_CLOSED);

        Envelope command = command(sessionId);
        assertThat(edge.app().commands().apply(command), is(true));

        JsonNode session = edge.get("/sessions/" + sessionId).body();
        assertThat(session.toString(), session.at("/status").asText(), is("CLOSED"));
        assertThat(session.at("/exitLane").asText(), is("(level L1)"));
        assertThat(Instant.parse(session.at("/exitTime").asText()), is(EXIT));
        assertThat("the exit level billed it", session.at("/feeAmount").isNull(), is(true));
        assertThat("the space is free again", edge.free(), is(2L));
        assertThat("the cloud has the close already", outboxCount(MessageType.SESSION_CLOSED), is(closedEvents));
        List<CommandApplied> receipts = receipts();
        assertThat(receipts.size(), is(1));
        assertThat(receipts.getFirst().commandId(), is(command.id()));
        assertThat(receipts.getFirst().commandType(), is(MessageType.CLOSE_SESSION_ELSEWHERE));
        assertThat(receipts.getFirst().applied(), is(true));

        long version = edge.get("/availability").body().get("version").asLong();
        assertThat("a redelivery changes nothing", edge.app().commands().apply(command), is(false));
        assertThat(receipts().size(), is(1));
        assertThat(edge.get("/availability").body().get("version").asLong(), is(version));

        TestHttp.Response again = edge.post("/lanes/in-1/entries", "{\"plate\":\"AB-123\"}");
        assertThat("anti-passback lets the plate in again: " + again, again.status(), is(201));
    }

    @Test
    void onASensorLevelTheSessionClosesOnceAndFreesItsSpace() {
        closesAndFreesTheSpace(EdgeSettings.OccupancyMode.SENSORS);
    }

    @Test
    void onACountingLevelWithoutRampsTheSessionClosesOnceAndFreesItsSpace() {
        closesAndFreesTheSpace(EdgeSettings.OccupancyMode.COUNTING);
    }

    @Test
    void onACountingLevelWithRampsTheRampAlreadyCountedTheCarOut() {
        edge = TestEdge.startWithRamps(Map.of(VehicleType.STANDARD, 3),
                List.of(new EdgeSettings.Ramp("down", VehicleType.STANDARD)));
        String other = edge.enterAndPass("CD-456").get("sessionId").asText();
        String sessionId = edge.enterAndPass("AB-123").get("sessionId").asText();
        assertThat(edge.free(), is(1L));
        // AB-123 drives down the ramp to the level below, whose exit it will use.
        TestHttp.Response r = edge.post("/simulator/ramps/down/passages", "{\"direction\":\"OUT\"}");
        assertThat(r.toString(), r.status(), is(202));
        await().atMost(Duration.ofSeconds(10)).until(() -> edge.free() == 2L);
        long version = edge.get("/availability").body().get("version").asLong();

        assertThat(edge.app().commands().apply(command(sessionId)), is(true));

        assertThat(edge.get("/sessions/" + sessionId).body().at("/status").asText(), is("CLOSED"));
        assertThat("not counted out a second time", edge.free(), is(2L));
        assertThat("no change to announce", edge.get("/availability").body().get("version").asLong(), is(version));
        assertThat(edge.get("/availability").body().get("drift").asLong(), is(0L));
        assertThat(edge.post("/lanes/in-1/entries", "{\"plate\":\"AB-123\"}").status(), is(201));
        assertThat(edge.free(), is(1L));
        assertThat("the other car's session is untouched",
                edge.get("/sessions/" + other).body().at("/status").asText(), is("OPEN"));
    }

    @Test
    void anUnknownOrAlreadyClosedSessionIsReceiptedAsNotApplied() {
        edge = TestEdge.start(Map.of(VehicleType.STANDARD, 2));
        JsonNode entry = edge.enterAndPass(null);
        String sessionId = entry.get("sessionId").asText();
        // It left through this level's own exit first (within the grace period: nothing to pay).
        TestHttp.Response exit = edge.post("/lanes/out-1/exits", "{\"ticket\":\"" + entry.get("ticket").asText()
                + "\"}");
        assertThat(exit.toString(), exit.status(), is(200));
        long version = edge.get("/availability").body().get("version").asLong();

        assertThat(edge.app().commands().apply(command(sessionId)), is(true));
        assertThat(edge.app().commands().apply(command("no-such-session")), is(true));

        List<CommandApplied> receipts = receipts();
        assertThat(receipts.size(), is(2));
        assertThat(receipts.get(0).applied(), is(false));
        assertThat(receipts.get(0).detail(), containsString("already closed"));
        assertThat(receipts.get(1).applied(), is(false));
        assertThat(receipts.get(1).detail(), containsString("unknown"));
        JsonNode session = edge.get("/sessions/" + sessionId).body();
        assertThat("the own exit stays recorded", session.at("/exitLane").asText(), is("out-1"));
        assertThat(edge.get("/availability").body().get("version").asLong(), is(version));
    }
}
