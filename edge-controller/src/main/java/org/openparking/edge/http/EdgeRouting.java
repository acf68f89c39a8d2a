package org.openparking.edge.http;

import io.helidon.webserver.http.HttpRouting;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.openparking.edge.auth.OperatorTokens;
import org.openparking.edge.command.LevelCommands;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.lane.LaneController;
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

    private EdgeRouting() {
    }

    /** What the HTTP layer needs, built by Main. */
    public record Parts(LevelAvailability board, SpotTracker spots, Map<String, LaneController> lanes,
                        ParkingService parking, LevelCommands commands, Optional<SimulatedLevel> simulator,
                        Set<String> spotIds, OperatorTokens tokens, EdgeSettings.Auth auth, SyncState sync,
                        RampCounter ramps, DriftLog drift) {
    }

    public static void routing(HttpRouting.Builder routing, Parts parts) {
        ErrorHandling.register(routing);
        Credentials credentials = new Credentials(parts.auth(), parts.tokens());
        routing.register(BASE, new RequestGuard());
        if (parts.auth().mode() == EdgeSettings.Auth.Mode.TOKEN) {
            routing.register(BASE, new DeviceAuthService(credentials));
        }
        routing.register(BASE, new LevelService(parts.board(), parts.spots(), parts.lanes(), parts.ramps(),
                        parts.drift()))
                .register(BASE, new SessionService(parts.parking()))
                .register(BASE + "/admin", new AdminService(parts.commands(), parts.tokens(), credentials))
                .register(BASE, new SyncService(parts.sync()));
        // The simulator moves barriers and loops with no credential at all: development rigs only.
        parts.simulator().filter(sim -> parts.auth().development()).ifPresent(sim -> routing.register(BASE + "/simulator",
                new SimulatorService(sim, parts.spotIds(), parts.lanes().keySet(),
                        parts.ramps().ids())));
    }
}
