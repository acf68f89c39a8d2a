package org.openparking.platform.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigNode;
import io.helidon.config.spi.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** {@link ParkingConfig#load}: the four layers merged into one Helidon {@link Config}. */
final class LayeredConfig {
    private LayeredConfig() {
    }

    static Config load(ConfigInput input, String resource) {
        // The files, highest first: the operator's file, then the built-in defaults.
        List<Config> files = new ArrayList<>();
        String named = input.environment().get(ParkingConfig.FILE_VARIABLE);
        if (named != null && !named.isBlank()) {
            files.add(file(Path.of(named.trim())));
        }
        files.add(Config.just(ConfigSources.classpath(resource)));

        // The whole sections come from the highest file having any of them; lower files lose theirs.
        Set<String> whole = Set.copyOf(input.wholeSections());
        List<Supplier<? extends ConfigSource>> fileSources = new ArrayList<>();
        boolean taken = false;
        for (Config f : files) {
            boolean describes = whole.stream().anyMatch(s -> f.get(s).exists());
            fileSources.add(ConfigSources.create(object(f, taken ? whole : Set.of())));
            taken |= describes;
        }
        Config fromFiles = Config.just(fileSources.toArray(Supplier[]::new));

        List<String> keys = fromFiles.traverse().filter(Config::isLeaf).map(c -> c.key().toString()).toList();
        Map<String, String> fromEnvironment = new LinkedHashMap<>();
        Map<String, String> fromProperties = new LinkedHashMap<>();
        for (String key : keys) {
            String env = input.environment().get(ParkingConfig.variableFor(key));
            if (env != null) {
                fromEnvironment.put(key, env);
            }
            String property = input.systemProperties().get(key);
            if (property != null) {
                fromProperties.put(key, property);
            }
        }
        List<Supplier<? extends ConfigSource>> all = new ArrayList<>();
        all.add(ConfigSources.create(fromEnvironment).name("environment variables"));
        all.add(ConfigSources.create(fromProperties).name("system properties"));
        all.addAll(fileSources);
        return Config.just(all.toArray(Supplier[]::new));
    }

    private static Config file(Path path) {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ConfigException(ParkingConfig.FILE_VARIABLE, "names " + path + ", which cannot be read");
        }
        try {
            Config config = Config.just(ConfigSources.file(path));
            config.traverse().count(); // parse now: a broken file must stop the start, not a later lookup
            return config;
        } catch (io.helidon.config.ConfigException e) {
            throw new ConfigException(ParkingConfig.FILE_VARIABLE, "names " + path + ", which is not valid YAML: "
                    + e.getMessage(), e);
        }
    }

    /** The tree of {@code config} without the top-level sections in {@code skip}. */
    private static ConfigNode.ObjectNode object(Config config, Set<String> skip) {
        ConfigNode.ObjectNode.Builder b = ConfigNode.ObjectNode.builder();
        for (Config child : config.asNodeList().orElse(List.of())) {
            if (!skip.contains(child.name())) {
                b.addNode(child.name(), node(child));
            }
        }
        return b.build();
    }

    private static ConfigNode node(Config c) {
        return switch (c.type()) {
            case OBJECT -> {
                ConfigNode.ObjectNode.Builder b = ConfigNode.ObjectNode.builder();
                c.asNodeList().orElse(List.of()).forEach(child -> b.addNode(child.name(), node(child)));
                if (c.hasValue()) {
                    b.value(c.asString().get());
                }
                yield b.build();
            }
            case LIST -> {
                ConfigNode.ListNode.Builder b = ConfigNode.ListNode.builder();
                c.asNodeList().orElse(List.of()).forEach(child -> addTo(b, node(child)));
                yield b.build();
            }
            case VALUE -> ConfigNode.ValueNode.create(c.asString().get());
            case MISSING -> throw new IllegalStateException("no node at " + c.key());
        };
    }

    private static void addTo(ConfigNode.ListNode.Builder list, ConfigNode node) {
        switch (node) {
            case ConfigNode.ObjectNode o -> list.addObject(o);
            case ConfigNode.ListNode l -> list.addList(l);
            case ConfigNode.ValueNode v -> list.addValue(v);
            default -> throw new IllegalStateException("unknown node " + node);
        }
    }
}
