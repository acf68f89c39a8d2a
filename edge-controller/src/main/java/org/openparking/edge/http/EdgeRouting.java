package org.openparking.edge.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.openparking.edge.auth.OperatorTokens;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.lane.LaneController;
import org.openparking.edge.lane.PlateReads;
import org.openparking.edge.occupancy.DriftLog;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.RampCounter;
import org.openparking.edge.occupancy.SpotTracker;
import org.openparking.edge.session.ParkingService;
import org.openparking.edge.sync.SyncState;
import org.openparking.firmware.SimulatedLevel;

/** The edge's HTTP API under {@code /api/v1}; Main and the tests build routing through here. */
public final class EdgeRouting {
    public static final String BASE = "/api/v1";
    /** The OpenAPI 3.1 document of this API, checked against these routes by the test suite. */
    public static final String OPENAPI_RESOURCE = "/openapi/edge.yaml";
    private static final byte[] OPENAPI = openapi();

    private EdgeRouting() {
    }

    private static byte[] openapi() {
        try (InputStream in = EdgeRouting.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the HTTP layer needs, built by Main. */
    public record Parts(LevelAvailability board, SpotTracker spots, Map<String, LaneController> lanes,
                        ParkingService parking, LevelCommands commands, Optional<SimulatedLevel> simulator,
                        Set<String> spotIds, OperatorTokens tokens, EdgeSettings.Auth auth, SyncState sync,
                        RampCounter ramps, DriftLog drift, EdgeSettings.Site site, PlateReads plateReads,
                        double readerThreshold) {
    }

    /**
     * Who may watch {@code GET /availability/stream}: open mode, everyone everything; token mode, anyone the
     * public counts, a device key or a viewer's operator token of this lot the lane events too; a stream opened
     * with a token lasts until the token expires or stops verifying (its key replaced or revoked).
     */
    public static org.openparking.edge.realtime.StreamAccess streamAccess(Parts parts) {
        if (parts.auth().mode() == EdgeSettings.Auth.Mode.OPEN) {
            return org.openparking.edge.realtime.StreamAccess.OPEN;
        }
        Credentials credentials = new Credentials(parts.auth(), parts.tokens());
        return req -> credentials.streamViewer(req);
    }

    public static void routing(HttpRouting.Builder routing, Parts parts) {
        ErrorHandling.register(routing);
        routing.get("/openapi.yaml", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "application/yaml")
                .send(OPENAPI));
        Credentials credentials = new Credentials(parts.auth(), parts.tokens());
        routing.register(BASE, new RequestGuard());
        if (parts.auth().mode() == EdgeSettings.Auth.Mode.TOKEN) {
            routing.register(BASE, new DeviceAuthService(credentials));
        }
        routing.register(BASE, new LevelService(parts.board(), parts.spots(), parts.lanes(), parts.ramps(),
                        parts.drift(), parts.plateReads(), parts.readerThreshold(), parts.parking()))
                .register(BASE, new SessionService(parts.parking()))
                .register(BASE + "/admin", new AdminService(parts.commands(), parts.tokens(), credentials))
                .register(BASE, new SyncService(parts.sync()))
                .register(BASE, new SiteService(parts.site()));
        // The simulator moves barriers and loops with no credential at all: development rigs only.
        parts.simulator().filter(sim -> parts.auth().development()).ifPresent(sim -> routing.register(BASE + "/simulator",
                new SimulatorService(sim, parts.spotIds(), parts.lanes().keySet(),
                        parts.ramps().ids())));
    }
}
