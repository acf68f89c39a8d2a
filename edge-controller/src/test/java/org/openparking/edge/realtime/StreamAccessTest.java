package org.openparking.edge.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.edge.TestEdge;
import org.openparking.edge.auth.DeviceKeys;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.lane.LaneController;
import org.openparking.edge.lane.LaneView;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Json;
import org.openparking.protocol.TrustOperatorKey;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.TestHttp;

/**
 * The edge's live stream in token mode, over real HTTP: anyone sees the public counts but no lane events; a
 * device key or an operator token of this lot sees lanes; a refused credential is a JSON 401/403, not a
 * downgrade; at most {@code auth.max-streams} streams are open (503 STREAMS_FULL); a stream opened with a token
 * ends with {@code event: end} when the token expires or its key is replaced.
 */
class StreamAccessTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String DEVICE = "lane-terminal-4b1f09";
    private final TestHttp http = TestHttp.create();
    private TestEdge edge;
    private String url;
    private int seq;
    private java.net.http.HttpHeaders lastRefusal;

    @BeforeEach
    void start() throws Exception {
        Path dir = Files.createTempDirectory("edge-stream-access");
        EdgeSettings s = LiveEdge.settings(dir, LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 2))
                .heartbeat(Duration.ofMillis(300)));
        EdgeSettings.Auth auth = new EdgeSettings.Auth(EdgeSettings.Auth.Mode.TOKEN, "openparking-cloud",
                "openparking-api", List.of(DeviceKeys.digestOf(DEVICE))).ownedBy("op-a").withMaxStreams(2)
                // a development rig in token mode: the simulator API moves the test's spot, nothing else changes
                .withDevelopment(true);
        s = new EdgeSettings(s.lotId(), s.levelId(), s.db(), s.hardware(), s.occupancyMode(), s.lanes(), s.spots(),
                s.tariff(), s.ticketSecret(), s.passageTimeout(), s.payments(), s.mqtt(), s.amqpUri(), auth,
                s.ramps());
        edge = TestEdge.start(dir, s, Clock.systemUTC());
        url = edge.base() + "/availability/stream";
    }

    @AfterEach
    void stop() {
        http.close();
        edge.close();
    }

    private void laneChanges(String phaseNote) {
        edge.app().realtime().lane(new LaneView("in-1", EdgeSettings.Direction.ENTRY, "CLOSED",
                LaneController.Phase.VEHICLE_WAITING, true, false, phaseNote, Instant.now(), null));
    }

    private boolean push(ECKey key) {
        return edge.app().commands().apply(Envelope.of(edge.app().settings().lotId() + ".L0",
                edge.app().settings().lotId(), "L0", ++seq, Instant.now(),
                new TrustOperatorKey(key.toPublicJWK().toJSONString())));
    }

    private static ECKey newKey() throws Exception {
        return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
    }

    private static String token(ECKey key, String operator, Instant expires) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("openparking-cloud").audience("openparking-api")
                .subject("viewer-of-" + operator).claim("roles", List.of("viewer")).claim("operator", operator)
                .expirationTime(Date.from(expires)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private JsonNode refused(int status, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "Accept";
        all[1] = "text/event-stream";
        System.arraycopy(headers, 0, all, 2, headers.length);
        try (TestHttp.Streaming r = http.stream(url, all)) {
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(body, r.status(), is(status));
            lastRefusal = r.headers();
            assertThat(r.headers().firstValue("Content-Type").orElse(""), containsString("application/json"));
            return Json.mapper().readTree(body);
        }
    }

    @Test
    void withoutACredentialOnlyThePublicCountsAreStreamedAndACredentialAddsTheLanes() throws Exception {
        try (SseClient anonymous = new SseClient(url);
             SseClient device = new SseClient(url, "X-Device-Key", DEVICE)) {
            assertThat(Json.mapper().readTree(anonymous.next("availability", WAIT).data()).get("free").asInt(), is(2));
            device.next("availability", WAIT);
            laneChanges("first");
            // The device's stream gets the lane; the anonymous one goes straight on to the next heartbeat.
            assertThat(Json.mapper().readTree(device.next("lane", WAIT).data()).get("fault").asText(), is("first"));
            SseClient.Event afterLane = anonymous.next(WAIT);
            assertThat(afterLane.name(), is("heartbeat"));
            edge.spot("STANDARD-001", true);
            assertThat(Json.mapper().readTree(anonymous.next("availability", WAIT).data()).get("free").asInt(), is(1));
        }
    }

    @Test
    void aCredentialThatIsPresentButRefusedIsA401Or403NotAPublicStream() throws Exception {
        assertThat(refused(401, "X-Device-Key", "a-guessed-key").get("error").asText(), is("UNAUTHORIZED"));
        assertThat(refused(401, "Authorization", "Bearer not-a-jwt").get("error").asText(), is("UNAUTHORIZED"));
        ECKey cloud = newKey();
        push(cloud);
        JsonNode otherTenant = refused(403, "Authorization",
                "Bearer " + token(cloud, "op-b", Instant.now().plusSeconds(300)));
        assertThat(otherTenant.get("error").asText(), is("FORBIDDEN"));
    }

    @Test
    void beyondMaxStreamsTheEdgeAnswers503StreamsFullUntilOneCloses() throws Exception {
        SseClient first = new SseClient(url);
        try (SseClient second = new SseClient(url, "X-Device-Key", DEVICE)) {
            first.next("availability", WAIT);
            second.next("availability", WAIT);
            JsonNode full = refused(503, "X-Device-Key", DEVICE);
            assertThat(full.get("error").asText(), is("STREAMS_FULL"));
            assertThat(full.get("message").asText(), containsString("auth.max-streams"));
            assertThat(lastRefusal.firstValue("Retry-After").orElse(""), is("5"));
            first.close();
            // The closed client's slot frees at its next failed write (a heartbeat).
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> edge.app().realtime().sseClients() == 1);
            try (SseClient third = new SseClient(url)) {
                assertThat(third.response().status(), is(200));
                third.next("availability", WAIT);
            }
        }
    }

    @Test
    void aStreamOpenedWithATokenEndsWhenTheTokenExpires() throws Exception {
        ECKey cloud = newKey();
        push(cloud);
        // JWT times are whole seconds: the stream ends at the exp the token carries.
        Instant expires = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        try (SseClient sse = new SseClient(url, "Authorization", "Bearer " + token(cloud, "op-a", expires))) {
            sse.next("availability", WAIT);
            laneChanges("seen-by-operator");
            assertThat(Json.mapper().readTree(sse.next("lane", WAIT).data()).get("fault").asText(),
                    is("seen-by-operator"));
            JsonNode end = Json.mapper().readTree(sse.next("end", WAIT).data());
            assertThat(end.get("reason").asText(), is("TOKEN_EXPIRED"));
            assertThat(Instant.now().isBefore(expires), is(false));
        }
    }

    @Test
    void aStreamOpenedWithATokenEndsWhenItsKeyIsReplaced() throws Exception {
        ECKey old = newKey();
        push(old);
        try (SseClient sse = new SseClient(url, "Authorization",
                "Bearer " + token(old, "op-a", Instant.now().plusSeconds(300)))) {
            sse.next("availability", WAIT);
            sse.next("heartbeat", WAIT);
            push(newKey());
            JsonNode end = Json.mapper().readTree(sse.next("end", WAIT).data());
            assertThat(end.get("reason").asText(), is("TOKEN_REVOKED"));
        }
    }
}
