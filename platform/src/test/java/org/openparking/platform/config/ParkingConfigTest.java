package org.openparking.platform.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.helidon.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layers (environment, -D, PARKING_CONFIG, application.yaml), their errors and the whole sections. */
class ParkingConfigTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("parking.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void eachLayerOverridesTheOnesBelowIt() throws Exception {
        Path f = file("layer:\n  env: file\n  property: file\n  file: file\n");
        Config c = ParkingConfig.load(new ConfigInput(
                Map.of("PARKING_CONFIG", f.toString(), "LAYER_ENV", "environment", "EDGE_LOT_ID", "lot-env"),
                Map.of("layer.env", "property", "layer.property", "property", "server.port", "9090"), List.of()));
        assertThat(c.get("layer.env").asString().get(), is("environment"));
        assertThat(c.get("layer.property").asString().get(), is("property"));
        assertThat(c.get("layer.file").asString().get(), is("file"));
        assertThat(c.get("layer.classpath").asString().get(), is("classpath"));
        assertThat("dashes and dots both become underscores", c.get("edge.lot-id").asString().get(), is("lot-env"));
        assertThat("java -Dserver.port=9090", ConfigValues.integer(c.get("server"), "port"), is(9090));
    }

    @Test
    void withoutAFileTheDefaultsAndOverridesApply() {
        Config c = ParkingConfig.load(new ConfigInput(Map.of("SERVER_PORT", "8181"),
                Map.of("layer.property", "property"), List.of()));
        assertThat(ConfigValues.integer(c.get("server"), "port"), is(8181));
        assertThat(c.get("layer.property").asString().get(), is("property"));
        assertThat(c.get("layer.file").asString().get(), is("classpath"));
        assertThat(ConfigValues.duration(c.get("timing"), "wait"), is(Duration.ofSeconds(5)));
        assertThat(ConfigValues.texts(c, "hashes"), is(List.of()));
    }

    @Test
    void variablesAndPropertiesOfKeysNoFileHasAreNotConfiguration() {
        Config c = ParkingConfig.load(new ConfigInput(Map.of("PATH", "/usr/bin", "UNKNOWN_KEY", "x"),
                Map.of("java.home", "/opt/java", "unknown.key", "x"), List.of()));
        assertThat(c.get("path").exists(), is(false));
        assertThat(c.get("java.home").exists(), is(false));
        assertThat(c.get("unknown.key").exists(), is(false));
    }

    @Test
    void aMissingOrUnreadableFileStopsTheStartNamingIt() throws Exception {
        Path missing = dir.resolve("nowhere.yaml");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ParkingConfig.load(ConfigInput.environment(Map.of("PARKING_CONFIG", missing.toString()))));
        assertThat(e.key(), is("PARKING_CONFIG"));
        assertThat(e.getMessage(), containsString(missing.toString()));

        ConfigException directory = assertThrows(ConfigException.class,
                () -> ParkingConfig.load(ConfigInput.environment(Map.of("PARKING_CONFIG", dir.toString()))));
        assertThat(directory.getMessage(), containsString("cannot be read"));

        Path broken = file("server:\n  port: [unclosed\n");
        ConfigException yaml = assertThrows(ConfigException.class,
                () -> ParkingConfig.load(ConfigInput.environment(Map.of("PARKING_CONFIG", broken.toString()))));
        assertThat(yaml.key(), is("PARKING_CONFIG"));
        assertThat(yaml.getMessage(), containsString("not valid YAML"));
    }

    @Test
    void aWrongOrMissingValueNamesItsKey() {
        Config c = ParkingConfig.load(ConfigInput.environment(Map.of("SERVER_PORT", "80a", "TIMING_WAIT", "5s")));
        ConfigException port = assertThrows(ConfigException.class, () -> ConfigValues.integer(c.get("server"), "port"));
        assertThat(port.key(), is("server.port"));
        assertThat(port.getMessage(), is("server.port must be a whole number, was '80a'"));
        ConfigException wait = assertThrows(ConfigException.class, () -> ConfigValues.duration(c.get("timing"), "wait"));
        assertThat(wait.getMessage(), is("timing.wait must be an ISO-8601 duration such as PT5S, was '5s'"));
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ConfigValues.text(c.get("timing"), "timeout"));
        assertThat(missing.getMessage(), is("timing.timeout is missing"));
        ConfigException mode = assertThrows(ConfigException.class,
                () -> ConfigValues.oneOf(c.get("layer"), "env", Thread.State.class));
        assertThat(mode.key(), is("layer.env"));
    }

    @Test
    void wholeSectionsComeTogetherFromTheHighestFileThatHasAnyOfThem() throws Exception {
        Path f = file("spots:\n  - { id: \"B01\", type: COMPACT }\n");
        ConfigInput input = ConfigInput.environment(Map.of("PARKING_CONFIG", f.toString()));

        Config whole = ParkingConfig.load(input.withWholeSections("lanes", "spots"));
        assertThat(ids(whole, "spots"), is(List.of("B01")));
        assertThat("the file describes the level, so the built-in lanes are not added",
                whole.get("lanes").exists(), is(false));

        Config merged = ParkingConfig.load(input);
        assertThat(ids(merged, "lanes"), is(List.of("in-1", "out-1")));

        Path scalarsOnly = file("server:\n  port: 8088\n");
        Config defaults = ParkingConfig.load(ConfigInput.environment(Map.of("PARKING_CONFIG", scalarsOnly.toString()))
                .withWholeSections("lanes", "spots"));
        assertThat(ids(defaults, "lanes"), is(List.of("in-1", "out-1")));
        assertThat(ids(defaults, "spots"), is(List.of("A01", "A02")));
        assertThat(ConfigValues.integer(defaults.get("server"), "port"), is(8088));
    }

    @Test
    void theDefaultsAreTheClasspathFileAlone() {
        Config c = ParkingConfig.defaults();
        assertThat(c.get("layer.env").asString().get(), is("classpath"));
        assertThat(ids(c, "spots"), is(List.of("A01", "A02")));
    }

    @Test
    void variableNamesFollowTheKey() {
        assertThat(ParkingConfig.variableFor("edge.lot-id"), is("EDGE_LOT_ID"));
        assertThat(ParkingConfig.variableFor("cloud.amqp-uri"), is("CLOUD_AMQP_URI"));
    }

    private static List<String> ids(Config c, String section) {
        return c.get(section).asNodeList().get().stream().map(n -> n.get("id").asString().get()).toList();
    }
}
