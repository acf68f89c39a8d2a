package org.openparking.edge.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openparking.protocol.config.EnvOverrides;

/**
 * Layers the edge's configuration: built-in {@code application.yaml}, then the YAML file named by
 * {@code PARKING_CONFIG}, then environment variables ({@link EnvOverrides}). Lists that describe the
 * level ({@code lanes}, {@code spots}, {@code capacity}) are taken whole from the highest layer that
 * has them, because merging two spot lists element by element would build a level nobody configured.
 */
public final class ConfigLoader {
    /** Sections replaced whole by a higher layer. */
    static final List<String> WHOLE_SECTIONS = List.of("lanes", "spots", "capacity", "ramps");

    private final Config merged;
    private final Config levelSource;

    private ConfigLoader(Config merged, Config levelSource) {
        this.merged = merged;
        this.levelSource = levelSource;
    }

    /** Loads the configuration from the classpath, {@code PARKING_CONFIG} and the process environment. */
    public static ConfigLoader load() {
        return load(Optional.ofNullable(System.getenv("PARKING_CONFIG")).filter(s -> !s.isBlank()).map(Path::of),
                System.getenv());
    }

    public static ConfigLoader load(Optional<Path> file, Map<String, String> env) {
        Config defaults = Config.just(ConfigSources.classpath("application.yaml"));
        Optional<Config> fromFile = file.map(p -> {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("PARKING_CONFIG names " + p + ", which cannot be read");
            }
            return Config.just(ConfigSources.file(p));
        });
        Config layered = fromFile
                .map(f -> Config.just(ConfigSources.file(file.get()), ConfigSources.classpath("application.yaml")))
                .orElse(defaults);
        List<String> keys = layered.traverse().filter(Config::isLeaf).map(c -> c.key().toString()).toList();
        Map<String, String> overrides = EnvOverrides.overrides(keys, env);
        Config merged = fromFile
                .map(f -> Config.just(ConfigSources.create(overrides), ConfigSources.file(file.get()),
                        ConfigSources.classpath("application.yaml")))
                .orElse(Config.just(ConfigSources.create(overrides), ConfigSources.classpath("application.yaml")));
        boolean fileDescribesLevel = fromFile
                .map(f -> WHOLE_SECTIONS.stream().anyMatch(s -> f.get(s).exists()))
                .orElse(false);
        Config levelBase = fileDescribesLevel
                ? Config.just(ConfigSources.create(overrides), ConfigSources.file(file.get()))
                : merged;
        return new ConfigLoader(merged, levelBase);
    }

    /** Scalars and sections merged across the layers. */
    public Config config() {
        return merged;
    }

    /** Where {@code lanes}, {@code spots} and {@code capacity} are read from. */
    public Config levelSource() {
        return levelSource;
    }
}
