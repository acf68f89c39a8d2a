package org.openparking.edge.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.platform.config.ConfigInput;
import org.openparking.protocol.Tariff;

/** The edge's settings as application.yaml, a level file, -D and the environment give them. */
class EdgeSettingsTest {
    private static EdgeSettings read(ConfigInput input) {
        return EdgeSettings.create(EdgeSettings.load(input));
    }

    @Test
    void aFreshCheckoutRunsOnTheDefaultsOfApplicationYaml() {
        EdgeSettings s = read(ConfigInput.environment(Map.of()));
        assertThat(s.lotId(), is("lot-1"));
        assertThat(s.tariff(), is(new Tariff(1, "EUR", 15, 60, 300, 2400, 5000)));
        assertThat(s.payments(), is(new EdgeSettings.Payments(1500, Duration.ofSeconds(5), Duration.ofMinutes(15))));
        assertThat(s.spots().size(), is(12));
        assertThat(s.lanes().size(), is(2));
        assertThat(s.mqtt().clientId(), is("edge-lot-1-L0"));
        assertThat(s.auth().mode(), is(EdgeSettings.Auth.Mode.OPEN));
        assertThat("what cloud-sync issues on its defaults", s.auth().issuer(), is("openparking-cloud"));
        assertThat(s.auth().audience(), is("openparking-api"));
    }

    @Test
    void systemPropertiesOverrideTheFileAndTheEnvironmentOverridesBoth(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("level.yaml");
        Files.writeString(file, "edge:\n  lot-id: from-file\n  level-id: L7\ntariff:\n  daily-cap: 1000\n");
        EdgeSettings s = read(new ConfigInput(Map.of("PARKING_CONFIG", file.toString(), "EDGE_LOT_ID", "from-env"),
                Map.of("edge.lot-id", "from-property", "edge.level-id", "L8"), List.of()));
        assertThat(s.lotId(), is("from-env"));
        assertThat(s.levelId(), is("L8"));
        assertThat(s.tariff().dailyCap(), is(1000L));
        assertThat("the rest of the tariff still comes from application.yaml", s.tariff().lostTicketFee(), is(5000L));
    }

    @Test
    void aLevelFileReplacesTheBuiltInLevelWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("level.yaml");
        Files.writeString(file, """
                occupancy: { mode: counting }
                lanes:
                  - { id: "gate", direction: ENTRY }
                capacity: { STANDARD: 3 }
                """);
        EdgeSettings s = read(ConfigInput.environment(Map.of("PARKING_CONFIG", file.toString())));
        assertThat(s.lanes(), is(List.of(new EdgeSettings.Lane("gate", EdgeSettings.Direction.ENTRY))));
        assertThat("none of the twelve built-in spots", s.spots().size(), is(3));
    }

    @Test
    void theLevelIsNamedByItsIdsInUtcUnlessNamesAndAZoneAreConfigured() {
        EdgeSettings plain = read(ConfigInput.environment(Map.of()));
        assertThat(plain.site(), is(new EdgeSettings.Site("lot-1", "L0", "lot-1", "L0", "UTC")));
        EdgeSettings named = read(ConfigInput.environment(Map.of("EDGE_LOT_NAME", " Harbour Garage ",
                "EDGE_LEVEL_NAME", "Level 0 (street)", "EDGE_TIME_ZONE", "Europe/Berlin")));
        assertThat(named.site(), is(new EdgeSettings.Site("lot-1", "L0", "Harbour Garage", "Level 0 (street)",
                "Europe/Berlin")));
        IllegalArgumentException zone = assertThrows(IllegalArgumentException.class,
                () -> read(ConfigInput.environment(Map.of("EDGE_TIME_ZONE", "CET+1 somewhere"))));
        assertThat(zone.getMessage(), containsString("edge.time-zone must be an IANA time zone"));
    }

    @Test
    void aWrongValueIsRefusedWithItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(ConfigInput.environment(Map.of("TARIFF_DAILY_CAP", "lots"))));
        assertThat(e.getMessage(), containsString("tariff.daily-cap must be a whole number, was 'lots'"));
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> read(ConfigInput.environment(Map.of("AUTH_MODE", "jwt"))));
        assertThat(mode.getMessage(), containsString("auth.mode must be one of [open, token], was 'jwt'"));
    }

    @Test
    void theQuickStartIsADevelopmentRigAndSaysSo() {
        EdgeSettings s = read(ConfigInput.environment(Map.of()));
        assertThat("simulated hardware, open auth, edge.development auto", s.auth().development(), is(true));
        assertThat(s.auth().operatorId(), is(""));
        EdgeSettings rig = read(ConfigInput.environment(Map.of("AUTH_MODE", "token", "EDGE_DEVELOPMENT", "true")));
        assertThat("an explicit switch keeps a token-mode rig in development", rig.auth().development(), is(true));
    }

    @Test
    void outsideDevelopmentOpenAuthIsRefused() {
        for (Map<String, String> env : List.of(Map.of("HARDWARE_MODE", "pi4j"),
                Map.of("EDGE_DEVELOPMENT", "false", "TICKETS_SECRET", "the-lots-own-ticket-secret"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> read(ConfigInput.environment(env)));
            assertThat(env + ": " + e.getMessage(), e.getMessage(), containsString("auth.mode is open outside"
                    + " development"));
            assertThat(e.getMessage(), containsString("edge.development=true"));
        }
        EdgeSettings bench = read(ConfigInput.environment(Map.of("HARDWARE_MODE", "pi4j", "EDGE_DEVELOPMENT", "true")));
        assertThat("a bench rig on real GPIO, said explicitly", bench.auth().development(), is(true));
    }

    @Test
    void outsideDevelopmentTheShippedTicketSecretIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(ConfigInput.environment(Map.of("AUTH_MODE", "token"))));
        assertThat(e.getMessage(), containsString("tickets.secret is the development secret shipped in"
                + " application.yaml, refused outside development (hardware.mode=simulated, auth.mode=token,"
                + " edge.development=auto)"));
        EdgeSettings production = read(ConfigInput.environment(Map.of("AUTH_MODE", "token",
                "TICKETS_SECRET", "the-lots-own-ticket-secret", "EDGE_OPERATOR_ID", "op-a")));
        assertThat(production.auth().development(), is(false));
        assertThat(production.auth().operatorId(), is("op-a"));
        IllegalArgumentException operator = assertThrows(IllegalArgumentException.class,
                () -> read(ConfigInput.environment(Map.of("EDGE_OPERATOR_ID", "op a"))));
        assertThat(operator.getMessage(), containsString("edge.operator-id must be"));
        IllegalArgumentException development = assertThrows(IllegalArgumentException.class,
                () -> read(ConfigInput.environment(Map.of("EDGE_DEVELOPMENT", "yes"))));
        assertThat(development.getMessage(),
                containsString("edge.development must be one of [auto, true, false], was 'yes'"));
    }
}
