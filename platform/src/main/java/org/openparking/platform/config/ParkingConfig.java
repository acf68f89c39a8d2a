package org.openparking.platform.config;

import io.helidon.config.Config;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one configuration loader of the three services, on Helidon Config. Layers, highest first:
 * <ol>
 *   <li>environment variables named after the key: upper case, dots and dashes as underscores
 *       ({@code edge.lot-id} ← {@code EDGE_LOT_ID}; Helidon's own mapping needs {@code _dash_}, which no
 *       operator guesses);</li>
 *   <li>Java system properties named exactly after the key ({@code java -Dserver.port=9090 -jar ...});</li>
 *   <li>the YAML file named by the environment variable {@code PARKING_CONFIG}, if set: missing or unreadable, it
 *       stops the service;</li>
 *   <li>the service's {@code application.yaml} on the classpath, the only place a default is written.</li>
 * </ol>
 * Environment variables and system properties override keys the files know (every key has its default in
 * {@code application.yaml}), so {@code PATH} or {@code java.home} never become configuration.
 */
public final class ParkingConfig {
    /** The environment variable naming the operator's YAML file. */
    public static final String FILE_VARIABLE = "PARKING_CONFIG";
    /** Exit status of a service that refuses its configuration. */
    public static final int EXIT_STATUS = 2;

    private static final Logger LOG = Logger.getLogger(ParkingConfig.class.getName());

    private ParkingConfig() {
    }

    /**
     * The layered configuration.
     *
     * @throws ConfigException when {@code PARKING_CONFIG} names a file that cannot be read or parsed
     */
    public static Config load(ConfigInput input) {
        return LayeredConfig.load(input, "application.yaml");
    }

    /** The built-in {@code application.yaml} alone: the defaults, for tests and embedded use. */
    public static Config defaults() {
        return LayeredConfig.load(ConfigInput.environment(java.util.Map.of()), "application.yaml");
    }

    /** The environment variable that overrides {@code key}. */
    public static String variableFor(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Runs {@code reading} (loading and mapping the settings); on a configuration mistake logs one line naming the
     * key and exits with status {@value #EXIT_STATUS}, so a service never starts half-configured. Each service's
     * {@code main} calls this.
     */
    public static <T> T orExit(Supplier<T> reading) {
        try {
            return reading.get();
        } catch (IllegalArgumentException | io.helidon.config.ConfigException e) {
            LOG.log(Level.SEVERE, "invalid configuration: " + e.getMessage());
            System.exit(EXIT_STATUS);
            throw new IllegalStateException("unreachable", e);
        }
    }
}
