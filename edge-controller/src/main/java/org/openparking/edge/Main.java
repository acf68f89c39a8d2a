package org.openparking.edge;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.sync.SyncSettings;
import org.openparking.platform.config.ConfigInput;
import org.openparking.platform.config.ParkingConfig;

/** Starts one level's edge controller from configuration (see application.yaml). */
public final class Main {
    private Main() {
    }

    /** What the edge is started with, read and validated before anything starts. */
    private record Configured(Config config, EdgeSettings settings, SyncSettings sync) {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        // A configuration mistake: one line naming the key, exit 2, nothing started half-configured.
        Configured c = ParkingConfig.orExit(() -> {
            Config config = EdgeSettings.load(ConfigInput.process());
            return new Configured(config, EdgeSettings.create(config), SyncSettings.create(config.get("cloud")));
        });
        EdgeApplication edge = EdgeApplication.start(c.settings(), c.config().get("server"), c.sync(),
                java.time.Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(edge::close, "shutdown"));
    }
}
