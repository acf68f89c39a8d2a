package org.openparking.edge.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.platform.config.ParkingConfig;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.Ports;

/**
 * The packaged jar outside development refuses to start on open auth or on the ticket secret shipped in
 * application.yaml: one line naming the key, exit status 2, nothing served.
 */
class StartRefusalIT {
    private static final Path JAR = Path.of(System.getProperty("edge.jar", "target/edge-controller.jar"));

    private static String refused(Path dir, String name, Map<String, String> env) throws Exception {
        assertThat("build the jar first: mvn -o -pl edge-controller package -DskipTests", Files.exists(JAR), is(true));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("EDGE_DB_PATH", dir.resolve(name + ".db").toString());
        all.put("SERVER_PORT", String.valueOf(Ports.free()));
        Path log = dir.resolve(name + ".log");
        Process p = JavaProcess.start(JAR, all, log, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            JavaProcess.kill9(p);
            throw new AssertionError(name + ": the edge started instead of refusing\n" + Files.readString(log));
        }
        String text = Files.readString(log);
        assertThat(text, p.exitValue(), is(ParkingConfig.EXIT_STATUS));
        assertThat(text, Files.exists(dir.resolve(name + ".db")), is(false));
        return text;
    }

    @Test
    void openAuthOutsideDevelopmentIsRefused(@TempDir Path dir) throws Exception {
        String log = refused(dir, "open", Map.of("EDGE_DEVELOPMENT", "false", "TICKETS_SECRET", "a-lots-own-secret-123"));
        assertThat(log, containsString("invalid configuration: auth.mode is open outside development"
                + " (hardware.mode=simulated, auth.mode=open, edge.development=false)"));
    }

    @Test
    void theShippedTicketSecretInTokenModeIsRefused(@TempDir Path dir) throws Exception {
        String log = refused(dir, "secret", Map.of("AUTH_MODE", "token"));
        assertThat(log, containsString("invalid configuration: tickets.secret is the development secret shipped in"
                + " application.yaml"));
    }
}
