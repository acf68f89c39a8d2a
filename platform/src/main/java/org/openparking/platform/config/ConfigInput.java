package org.openparking.platform.config;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What {@link ParkingConfig#load} layers: the environment (which also names the {@code PARKING_CONFIG} file), the
 * Java system properties, and the sections that a higher layer replaces whole. Tests pass their own maps instead
 * of changing the process.
 *
 * @param environment      environment variables; {@code edge.lot-id} is overridden by {@code EDGE_LOT_ID}
 * @param systemProperties {@code -D} properties named exactly after their key ({@code -Dserver.port=9090})
 * @param wholeSections    top-level sections that describe one thing together (the edge's level: {@code lanes},
 *                         {@code spots}, ...): they all come from the highest file that has any of them, because
 *                         merging two spot lists element by element builds a level nobody configured
 */
public record ConfigInput(Map<String, String> environment, Map<String, String> systemProperties,
                          List<String> wholeSections) {
    public ConfigInput {
        environment = Map.copyOf(environment);
        systemProperties = Map.copyOf(systemProperties);
        wholeSections = List.copyOf(wholeSections);
    }

    /** This process's environment and system properties. */
    public static ConfigInput process() {
        return new ConfigInput(System.getenv(), properties(System.getProperties()), List.of());
    }

    /** Only these environment variables (tests). */
    public static ConfigInput environment(Map<String, String> environment) {
        return new ConfigInput(environment, Map.of(), List.of());
    }

    public ConfigInput withSystemProperties(Map<String, String> properties) {
        return new ConfigInput(environment, properties, wholeSections);
    }

    public ConfigInput withWholeSections(String... sections) {
        return new ConfigInput(environment, systemProperties, List.of(sections));
    }

    private static Map<String, String> properties(Properties p) {
        Map<String, String> result = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            result.put(name, p.getProperty(name));
        }
        return result;
    }
}
