package org.openparking.edge;

import io.helidon.logging.common.LogConfig;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openparking.edge.config.ConfigLoader;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.config.SettingsReader;
import org.openparking.edge.sync.SyncSettings;

/** Starts one level's edge controller from configuration (see application.yaml). */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        EdgeSettings settings;
        ConfigLoader loader;
        try {
            loader = ConfigLoader.load();
            settings = SettingsReader.read(loader);
        } catch (IllegalArgumentException e) {
            // A configuration mistake: say which key, and do not start half-configured.
            LOG.log(Level.SEVERE, "invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        SyncSettings sync;
        try {
            sync = SyncSettings.read(loader.config());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.SEVERE, "invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        EdgeApplication edge = EdgeApplication.start(settings, loader.config().get("server"), sync,
                java.time.Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(edge::close, "shutdown"));
    }
}
